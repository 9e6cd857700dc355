/**
 * Expands a topic or service name the way rcl does (design.ros2.org/articles/topic_and_service_names.html):
 * `~/x` is private to the node (`/<namespace>/<node>/x`), a relative `x` lives in the node's namespace, and
 * an absolute `/x` stays. Substitutions in braces other than {node} and {ns} are not supported.
 */
export function expandTopicName(name: string, nodeName: string, namespace = '/'): string {
  const ns = namespace === '' || namespace === '/' ? '' : namespace.replace(/\/+$/, '').replace(/^(?!\/)/, '/');
  const substituted = name.replace(/\{node\}/g, nodeName).replace(/\{ns\}/g, ns === '' ? '/' : ns);
  if (substituted.startsWith('/')) return substituted;
  if (substituted === '~') return `${ns}/${nodeName}`;
  if (substituted.startsWith('~/')) return `${ns}/${nodeName}/${substituted.slice(2)}`;
  return `${ns}/${substituted}`;
}

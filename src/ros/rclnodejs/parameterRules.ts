import type { RclParameterRule } from './rclnodejsApi';

const WILDCARDS: Readonly<Record<string, string>> = { '/**': '(/\\w+)*', '/*': '(/\\w+)' };

/**
 * rcl's rules for which parameter entries reach a node, as rclcpp applies them (parameter_map_from): the node key
 * of a params file or a `-p node:name:=value` rule gets a leading slash if it has none, then `/*` stands for
 * one namespace or name token and `/**` for any number of them (none included), and the key must match the
 * node's fully qualified name as a whole. So the keys `/**`, `vla_bridge`, `/vla_bridge`, `/*` and
 * `/** /vla_bridge` (without the space) all reach `/vla_bridge`; `/ns/vla_bridge`, `/ns/*` and
 * `/* /vla_bridge` reach `/ns/vla_bridge`; the bare `vla_bridge` does not (it means `/vla_bridge`).
 *
 * rclnodejs 2.2.0 looks only under `/**` and the bare node name (Node._getNativeParameterOverrides), so the
 * params file launch_ros writes (keyed by the fully qualified name, `/vla_bridge`) and a user's file keyed
 * `/vla_bridge:` were silently ignored; these rules are the ones every other ROS 2 node follows.
 */
export function nodeKeyMatches(key: string, fullyQualifiedName: string): boolean {
  const absolute = key.startsWith('/') ? key : `/${key}`;
  const pattern = absolute.replace(/\/\*\*|\/\*|[.*+?^${}()|[\]\\]/g, (token) => WILDCARDS[token] ?? `\\${token}`);
  return new RegExp(`^${pattern}$`).test(fullyQualifiedName);
}

/**
 * The parameter values that apply to the node named `fullyQualifiedName`, from rcl's parsed rules in rcl's
 * order: a later matching entry overrides an earlier one, as in rclcpp.
 */
export function resolveParameterRules(rules: readonly RclParameterRule[], fullyQualifiedName: string): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const rule of rules) {
    if (!nodeKeyMatches(rule.name, fullyQualifiedName)) continue;
    for (const parameter of rule.parameters) values.set(parameter.name, parameter.value);
  }
  return values;
}

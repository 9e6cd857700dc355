import type { BagReader } from './BagReader';

/** The first decoded message on `topic` in log-time order, or undefined when the topic has none. */
export async function firstMessage(
  reader: BagReader,
  topic: string,
): Promise<{ topic: string; type: string; message: unknown } | undefined> {
  const messages = reader.messages({ topics: [topic] });
  try {
    const first = await messages.next();
    return first.done === true ? undefined : first.value;
  } finally {
    await messages.return(undefined);
  }
}

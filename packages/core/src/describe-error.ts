/**
 * A short description of a thrown value, for log lines and messages: `Name: message` for an error,
 * the value as text otherwise.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

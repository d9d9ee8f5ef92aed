// What must end before a one-off command's process can: a module that starts threads or pools (the OCR
// workers) registers its shutdown here when it is loaded, so the CLI ends them without importing that
// module (and its libraries) for commands that never used it.
const hooks = new Set<() => Promise<void> | void>();

export function onShutdown(hook: () => Promise<void> | void): void {
  hooks.add(hook);
}

export async function runShutdownHooks(): Promise<void> {
  for (const hook of hooks) await hook();
}

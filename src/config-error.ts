/** A configuration value the store cannot start with; its message names the variable (or file) at fault. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The library version, written into checkpoint metadata (`rnnkit.version`).
 * @category IO
 */
export const VERSION: string = '0.1.0';

import { readFileSync } from 'node:fs'

/**
 * The package version, read from package.json at run time: the same file sits one level above
 * src/ in a checkout and above dist/ in an installed package, and importing JSON from outside
 * the compiled tree would not build.
 */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

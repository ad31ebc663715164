// The `@atproto/oauth-scopes` module of the harness scripts: the pinned package, or, given a
// folder (a build of the package with `dist/index.js`, e.g. the permissioned-data one), that build.
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export function loadOauthScopes(dir) {
  if (!dir) return import('@atproto/oauth-scopes')
  return import(pathToFileURL(join(resolve(dir), 'dist', 'index.js')).href)
}

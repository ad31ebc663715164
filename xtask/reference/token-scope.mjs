// Reference token scopes: runs @atproto/oauth-provider's own LexiconManager (the code the
// reference authorization server uses) on client scope strings, with lexicons served from local
// directories instead of the network.
//
// usage: node token-scope.mjs NODE_MODULES_DIR CASES.json > out.json
//   CASES.json: {"lexicons": ["dir", …], "scopes": ["<client scope>", …]} (dirs relative to the file)
// NODE_MODULES_DIR: the pinned reference install (`npm ci` of xtask/reference/package*.json).
//
// Request validation (dedupe, drop non-atproto values, `atproto` / `openid` checks) is the three
// statements of RequestManager.validate, repeated here; resolution and expansion are the
// package's LexiconManager.getPermissionSetsFromScope + buildTokenScope, unchanged.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [nodeModules, casesPath] = process.argv.slice(2)
const mod = (p) => import(pathToFileURL(join(resolve(nodeModules), p)).href)
const { LexiconManager } = await mod('@atproto/oauth-provider/dist/lexicon/lexicon-manager.js')
const { LexResolverError } = await mod('@atproto/lex-resolver/dist/index.js')
const { isAtprotoOauthScope } = await mod('@atproto/oauth-scopes/dist/index.js')
const pkg = (name) => JSON.parse(readFileSync(join(nodeModules, name, 'package.json'), 'utf8')).version

const cases = JSON.parse(readFileSync(casesPath, 'utf8'))
const docs = new Map()
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (name.endsWith('.json')) {
      try {
        const doc = JSON.parse(readFileSync(path, 'utf8'))
        if (typeof doc?.id === 'string' && !docs.has(doc.id)) docs.set(doc.id, doc)
      } catch {}
    }
  }
}
for (const dir of cases.lexicons) walk(resolve(dirname(casesPath), dir))

const store = new Map()
const lexStore = {
  findLexicon: async (nsid) => store.get(nsid) ?? null,
  storeLexicon: async (nsid, data) => void store.set(nsid, data),
  deleteLexicon: async (nsid) => void store.delete(nsid),
}
const lexResolver = {
  get: async (nsid) => {
    const lexicon = docs.get(String(nsid))
    if (!lexicon) throw LexResolverError.from(nsid)
    const uri = `at://did:plc:local/com.atproto.lexicon.schema/${nsid}`
    return { uri: { toString: () => uri }, lexicon }
  },
}
const manager = new LexiconManager(lexStore, lexResolver)

const results = []
for (const requested of cases.scopes) {
  // RequestManager.validate
  const scopes = new Set(requested.split(' '))
  const scope = Array.from(scopes).filter(isAtprotoOauthScope).join(' ') || undefined
  let error = null
  let tokenScope = null
  if (!scopes.has('atproto')) error = 'missing-atproto'
  else if (scopes.has('openid')) error = 'openid'
  else {
    try {
      if (scope) await manager.getPermissionSetsFromScope(scope)
      tokenScope = await manager.buildTokenScope(scope)
    } catch (err) {
      if (!(err instanceof LexResolverError)) throw err
      error = 'unresolvable-include'
    }
  }
  results.push({ scope: requested, token_scope: tokenScope ?? null, error })
}
console.log(JSON.stringify({
  generatedBy: `@atproto/oauth-provider@${pkg('@atproto/oauth-provider')} LexiconManager.buildTokenScope (node ${process.version})`,
  cases: results,
}, null, 2))

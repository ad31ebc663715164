// Reference timings for the resolver's criterion bench (`benches/expand.rs`), same inputs:
//   expand/all_corpus_sets_x2   every set of fixtures/resolver/sources, with and without ?aud=,
//                               through IncludeScope.fromString(s).toScopes(defs.main)
//   token_scope/bluesky_10_sets LexiconManager.buildTokenScope for a client asking for the ten
//                               Bluesky sets (lexicons already in the manager's store)
// usage: node expand-bench.mjs NODE_MODULES_DIR [FIXTURES_DIR]
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [nodeModules, fixturesArg] = process.argv.slice(2)
const fixtures = fixturesArg ?? new URL('../../fixtures/resolver/sources', import.meta.url).pathname
const mod = (p) => import(pathToFileURL(join(resolve(nodeModules), p)).href)
const { IncludeScope } = await mod('@atproto/oauth-scopes/dist/index.js')
const { LexiconManager } = await mod('@atproto/oauth-provider/dist/lexicon/lexicon-manager.js')
const { LexResolverError } = await mod('@atproto/lex-resolver/dist/index.js')

const docs = new Map()
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (name.endsWith('.json') && name !== 'lexicon-valid.json') {
      const doc = JSON.parse(readFileSync(path, 'utf8'))
      if (doc?.defs?.main?.type === 'permission-set') docs.set(doc.id, doc)
    }
  }
}
walk(fixtures)
const includes = [...docs.keys()].sort().flatMap((n) => [
  `include:${n}`,
  `include:${n}?aud=did:web:api.example.com%23svc`,
])

function time(name, fn, minMs = 3000) {
  for (let i = 0; i < 200; i++) fn()
  let iters = 0
  const start = process.hrtime.bigint()
  let now = start
  while (Number(now - start) / 1e6 < minMs) {
    for (let i = 0; i < 100; i++) fn()
    iters += 100
    now = process.hrtime.bigint()
  }
  console.log(`${name.padEnd(28)} ${(Number(now - start) / 1e3 / iters).toFixed(1)} µs/iter (${iters} iters)`)
}

time('expand/all_corpus_sets_x2', () => {
  let n = 0
  for (const s of includes) {
    const inc = IncludeScope.fromString(s)
    n += inc.toScopes(docs.get(inc.nsid).defs.main).length
  }
  return n
})

const store = new Map()
const manager = new LexiconManager(
  {
    findLexicon: async (nsid) => store.get(nsid) ?? null,
    storeLexicon: async (nsid, data) => void store.set(nsid, data),
    deleteLexicon: async (nsid) => void store.delete(nsid),
  },
  {
    get: async (nsid) => {
      const lexicon = docs.get(String(nsid))
      if (!lexicon) throw LexResolverError.from(nsid)
      return { uri: { toString: () => `at://did:plc:local/com.atproto.lexicon.schema/${nsid}` }, lexicon }
    },
  },
)
const bsky = [
  'authCreatePosts', 'authDeleteContent', 'authFullApp', 'authManageFeedDeclarations',
  'authManageLabelerService', 'authManageModeration', 'authManageNotifications',
  'authManageProfile', 'authViewAll',
].map((n) => `include:app.bsky.${n}?aud=did:web:api.bsky.app%23bsky_appview`)
const client = ['atproto', ...bsky, 'include:chat.bsky.authFullChatClient?aud=did:web:api.bsky.chat%23bsky_chat'].join(' ')
await manager.buildTokenScope(client)
// buildTokenScope is async (store lookups); time it sequentially.
for (let i = 0; i < 200; i++) await manager.buildTokenScope(client)
let iters = 0
const start = process.hrtime.bigint()
let now = start
while (Number(now - start) / 1e6 < 3000) {
  for (let i = 0; i < 50; i++) await manager.buildTokenScope(client)
  iters += 50
  now = process.hrtime.bigint()
}
console.log(`${'token_scope/bluesky_10_sets'.padEnd(28)} ${(Number(now - start) / 1e3 / iters).toFixed(1)} µs/iter (${iters} iters)`)

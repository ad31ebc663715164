// Reference timings for the permission-set part of `cargo xtask bench-vs-reference`.
//
// usage: node set-bench.mjs ROUNDS ROUND_MS AUD CLIENT_SCOPE DIR…
//   Loads every permission set under the DIRs (JSON.parse, keyed by `id`), then times two
//   operations in this process (startup, loading and warm-up excluded):
//   expand  every set as `include:<nsid>` and `include:<nsid>?aud=AUD`, through
//           IncludeScope.fromString(s).toScopes(defs.main)
//   token   the access-token scope for CLIENT_SCOPE the way the reference AS builds it: the
//           statements of RequestManager.validate (dedupe, keep atproto scopes) and then
//           @atproto/oauth-provider's LexiconManager.buildTokenScope, sets served from memory
//   Each operation runs ROUNDS rounds of K iterations (K chosen in warm-up so one round takes
//   about ROUND_MS); prints one JSON object with the per-iteration wall time (hrtime) and CPU time
//   (process.cpuUsage, user + system) of every round.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { IncludeScope, isAtprotoOauthScope } from '@atproto/oauth-scopes'
import { LexResolverError } from '@atproto/lex-resolver'

// LexiconManager is not in the package's `exports`; load its file directly, as token-scope.mjs does.
const { LexiconManager } = await import(
  new URL('./node_modules/@atproto/oauth-provider/dist/lexicon/lexicon-manager.js', import.meta.url).href
)

const [roundsArg, roundMsArg, aud, client, ...dirs] = process.argv.slice(2)
const rounds = Number(roundsArg)
const roundMs = Number(roundMsArg)

const docs = new Map()
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (name.endsWith('.json')) {
      let doc
      try {
        doc = JSON.parse(readFileSync(path, 'utf8'))
      } catch {
        continue
      }
      if (doc?.defs?.main?.type === 'permission-set' && !docs.has(doc.id)) docs.set(doc.id, doc)
    }
  }
}
for (const dir of dirs) walk(dir)
const nsids = [...docs.keys()].sort()
const includes = nsids.flatMap((n) => [`include:${n}`, `include:${n}?aud=${aud}`])

const expand = () => {
  let granted = 0
  for (const s of includes) {
    const inc = IncludeScope.fromString(s)
    granted += inc.toScopes(docs.get(inc.nsid).defs.main).length
  }
  return granted
}

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
const token = async () => {
  const scopes = new Set(client.split(' '))
  const scope = Array.from(scopes).filter(isAtprotoOauthScope).join(' ') || undefined
  return manager.buildTokenScope(scope)
}

const now = () => process.hrtime.bigint()
async function time(fn) {
  // Warm-up: at least 200 iterations and 300 ms, which also sizes a round.
  let iters = 0
  const start = now()
  while (iters < 200 || Number(now() - start) < 300e6) {
    await fn()
    iters++
  }
  const perIter = Number(now() - start) / iters
  const k = Math.max(1, Math.round((roundMs * 1e6) / perIter))
  const ns = []
  const cpu = []
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage()
    const t0 = now()
    for (let i = 0; i < k; i++) await fn()
    ns.push(Number(now() - t0) / k)
    const c = process.cpuUsage(c0)
    cpu.push(((c.user + c.system) * 1000) / k)
  }
  return { iters_per_round: k, round_ns_per_iter: ns, round_cpu_ns_per_iter: cpu }
}

const syncExpand = async () => expand()
const result = {
  sets: nsids,
  includes: includes.length,
  granted: expand(),
  token_scope: await token(),
  expand: await time(syncExpand),
  token: await time(token),
  node: process.version,
}
console.log(JSON.stringify(result))

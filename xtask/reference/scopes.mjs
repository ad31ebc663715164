// Reference harness for `cargo xtask conformance` and `cargo xtask bench-vs-reference`.
//
// Reads JSON requests, one per line, from stdin until EOF and prints one JSON answer per request, in
// order, on stdout. Every answer comes from the pinned `@atproto/oauth-scopes` package (or, with a
// folder argument, the build of it in that folder: `node scopes.mjs DIR`); nothing here
// re-implements a rule.
//
// Requests:
//   {"op":"normalize","input":S}
//     -> {"valid":bool,"canonical":S|null,"reparsed":S|null,"error":S|null}
//        canonical = normalizeAtprotoOauthScopeValue(S); a thrown error (URIError on a malformed
//        positional escape) counts as invalid and is reported in "error". An input with spaces is
//        a whole scope string (the `lexperm scope normalize` contract): valid when every
//        space-separated value is, canonical = normalizeAtprotoOauthScope(S). reparsed = the same
//        applied to canonical (used for the non-idempotence divergence rule).
//   {"op":"normalize_set","input":S}
//     -> {"result":S} (normalizeAtprotoOauthScope; a throw is reported as {"error":S})
//   {"op":"allows","granted":S,"transition":bool,"request":{"kind":"repo","collection":S,"action":S}}
//     kinds: repo {collection, action}, rpc {lxm, aud}, blob {mime}, account {attr, action},
//     identity {attr}
//     -> {"allowed":bool,"needed":S} via ScopePermissions or ScopePermissionsTransition; needed =
//        <Resource>Permission.scopeNeededFor(request), the scope a ScopeMissingError names
//   {"op":"bench_normalize","inputs":[S...],"rounds":N,"warmup":N}
//     -> {"round_ns":[N...],"round_cpu_us":[N...],"strings":N,"valid":N}: per timed round, the
//        wall and CPU (user+system) time spent in normalizeAtprotoOauthScopeValue over all inputs
//        (after `warmup` untimed rounds)
//   {"op":"version"} -> {"oauth-scopes":S,"lexicon":S,"node":S}
//
// A request the harness cannot serve is answered with {"fatal":S}.

import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadOauthScopes } from './load-scopes.mjs'

const packageDir = process.argv[2]
const {
  AccountPermission,
  BlobPermission,
  IdentityPermission,
  RepoPermission,
  RpcPermission,
  ScopePermissions,
  ScopePermissionsTransition,
  normalizeAtprotoOauthScope,
  normalizeAtprotoOauthScopeValue,
} = await loadOauthScopes(packageDir)

function normalizeValue(input) {
  try {
    return { canonical: normalizeAtprotoOauthScopeValue(input), error: null }
  } catch (err) {
    return { canonical: null, error: `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}` }
  }
}

// One input line of `lexperm scope normalize`: a single value goes through
// normalizeAtprotoOauthScopeValue; a line with spaces is a whole scope string, valid when every
// space-separated value is, with normalizeAtprotoOauthScope as its canonical form.
function normalizeLine(input) {
  if (!input.includes(' ')) return normalizeValue(input)
  for (const value of input.split(' ')) {
    const one = normalizeValue(value)
    if (one.canonical == null) return { canonical: null, error: one.error }
  }
  return { canonical: normalizeAtprotoOauthScope(input), error: null }
}

function opNormalize(req) {
  const first = normalizeLine(req.input)
  if (first.canonical == null) {
    return { valid: false, canonical: null, reparsed: null, error: first.error }
  }
  const second = normalizeLine(first.canonical)
  return { valid: true, canonical: first.canonical, reparsed: second.canonical, error: null }
}

function opNormalizeSet(req) {
  try {
    return { result: normalizeAtprotoOauthScope(req.input) }
  } catch (err) {
    return { error: `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}` }
  }
}

function opAllows(req) {
  const perms = req.transition
    ? new ScopePermissionsTransition(req.granted)
    : new ScopePermissions(req.granted)
  const r = req.request
  // `needed` is the scope named in ScopeMissingError when the check fails (scopeNeededFor).
  switch (r.kind) {
    case 'repo': {
      const o = { collection: r.collection, action: r.action }
      return { allowed: perms.allowsRepo(o), needed: RepoPermission.scopeNeededFor(o) }
    }
    case 'rpc': {
      const o = { lxm: r.lxm, aud: r.aud }
      return { allowed: perms.allowsRpc(o), needed: RpcPermission.scopeNeededFor(o) }
    }
    case 'blob': {
      const o = { mime: r.mime }
      return { allowed: perms.allowsBlob(o), needed: BlobPermission.scopeNeededFor(o) }
    }
    case 'account': {
      const o = { attr: r.attr, action: r.action }
      return { allowed: perms.allowsAccount(o), needed: AccountPermission.scopeNeededFor(o) }
    }
    case 'identity': {
      const o = { attr: r.attr }
      return { allowed: perms.allowsIdentity(o), needed: IdentityPermission.scopeNeededFor(o) }
    }
    default:
      return { fatal: `unknown request kind ${JSON.stringify(r.kind)}` }
  }
}

function opBenchNormalize(req) {
  const inputs = req.inputs
  const rounds = req.rounds ?? 1
  const warmup = req.warmup ?? 1
  const roundNs = []
  const roundCpuUs = []
  let valid = 0
  for (let round = 0; round < warmup + rounds; round++) {
    let roundValid = 0
    const cpu = process.cpuUsage()
    const start = process.hrtime.bigint()
    for (let i = 0; i < inputs.length; i++) {
      try {
        if (normalizeAtprotoOauthScopeValue(inputs[i]) != null) roundValid++
      } catch {
        // URIError: invalid, same as the conformance run
      }
    }
    const ns = process.hrtime.bigint() - start
    const used = process.cpuUsage(cpu)
    if (round >= warmup) {
      roundNs.push(Number(ns))
      roundCpuUs.push(used.user + used.system)
    }
    valid = roundValid
  }
  return { round_ns: roundNs, round_cpu_us: roundCpuUs, strings: inputs.length, valid }
}

function opVersion() {
  const here = dirname(fileURLToPath(import.meta.url))
  const version = (name) =>
    JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8')).version
  const scopes = packageDir
    ? `${JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).name} (${packageDir})`
    : version('@atproto/oauth-scopes')
  return {
    'oauth-scopes': scopes,
    lexicon: version('@atproto/lexicon'),
    node: process.version,
  }
}

function handle(line) {
  let req
  try {
    req = JSON.parse(line)
  } catch (err) {
    return { fatal: `bad request line: ${err.message}` }
  }
  switch (req.op) {
    case 'normalize':
      return opNormalize(req)
    case 'normalize_set':
      return opNormalizeSet(req)
    case 'allows':
      return opAllows(req)
    case 'bench_normalize':
      return opBenchNormalize(req)
    case 'version':
      return opVersion()
    default:
      return { fatal: `unknown op ${JSON.stringify(req.op)}` }
  }
}

const input = readFileSync(0, 'utf8')
const out = []
for (const line of input.split('\n')) {
  if (line === '') continue
  out.push(JSON.stringify(handle(line)))
}
out.push('')
process.stdout.write(out.join('\n'))

// Whole-process counterpart of `lexperm scope normalize --format json` for the benchmark: reads
// scope strings from stdin, one per line (not trimmed), and prints one JSON object per line,
// {"input","valid","canonical","error"}, using the pinned @atproto/oauth-scopes:
// normalizeAtprotoOauthScopeValue for a single value; for a line with spaces (a whole scope string,
// as the lexperm CLI reads it) every value must be valid and the canonical form is
// normalizeAtprotoOauthScope. With a folder argument (`node normalize-cli.mjs DIR`) the build of
// @atproto/oauth-scopes in that folder is used instead (e.g. the permissioned-data one).

import { readFileSync } from 'node:fs'
import { loadOauthScopes } from './load-scopes.mjs'

const { normalizeAtprotoOauthScope, normalizeAtprotoOauthScopeValue } = await loadOauthScopes(
  process.argv[2],
)

function normalizeLine(input) {
  if (!input.includes(' ')) return normalizeAtprotoOauthScopeValue(input)
  for (const value of input.split(' ')) {
    if (normalizeAtprotoOauthScopeValue(value) == null) return null
  }
  return normalizeAtprotoOauthScope(input)
}

const text = readFileSync(0, 'utf8')
const lines = text.split('\n')
if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
const out = []
for (const input of lines) {
  let canonical = null
  let error = null
  try {
    canonical = normalizeLine(input)
    if (canonical == null) error = 'not an atproto scope'
  } catch (err) {
    error = `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`
  }
  out.push(JSON.stringify({ input, valid: canonical != null, canonical, error }))
}
out.push('')
process.stdout.write(out.join('\n'))

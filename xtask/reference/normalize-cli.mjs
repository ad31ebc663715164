// Whole-process counterpart of `lexperm scope normalize --format json` for the benchmark: reads
// scope strings from stdin, one per line (not trimmed), and prints one JSON object per line,
// {"input","valid","canonical","error"}, using normalizeAtprotoOauthScopeValue from the pinned
// @atproto/oauth-scopes.

import { readFileSync } from 'node:fs'
import { normalizeAtprotoOauthScopeValue } from '@atproto/oauth-scopes'

const text = readFileSync(0, 'utf8')
const lines = text.split('\n')
if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
const out = []
for (const input of lines) {
  let canonical = null
  let error = null
  try {
    canonical = normalizeAtprotoOauthScopeValue(input)
    if (canonical == null) error = 'not an atproto scope'
  } catch (err) {
    error = `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`
  }
  out.push(JSON.stringify({ input, valid: canonical != null, canonical, error }))
}
out.push('')
process.stdout.write(out.join('\n'))

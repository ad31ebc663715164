// Reference expansion of `include:` scopes for `cargo xtask conformance` (permission sets part).
//
// usage: node set-expand.mjs LEXICON_DIR < includes.txt > answers.jsonl
//   Loads every `*.json` under LEXICON_DIR with JSON.parse (documents keyed by `id`, first file
//   wins, like a lexicon resolver serving them), then answers one JSON line per include scope:
//   {"valid": false}                                    IncludeScope.fromString returned null
//   {"valid": true, "found": false, "reason": "..."}    no document / main is not a permission set
//   {"valid": true, "found": true, "granted": [...]}    IncludeScope.toScopes(defs.main)
//   {"valid": true, "found": true, "throws": "..."}     toScopes threw
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { IncludeScope } from '@atproto/oauth-scopes'

const [dir] = process.argv.slice(2)
const docs = new Map()
const walk = (d) => {
  for (const name of readdirSync(d).sort()) {
    const path = join(d, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (name.endsWith('.json')) {
      let doc
      try {
        doc = JSON.parse(readFileSync(path, 'utf8'))
      } catch {
        continue
      }
      if (typeof doc?.id === 'string' && !docs.has(doc.id)) docs.set(doc.id, doc)
    }
  }
}
walk(dir)

const input = readFileSync(0, 'utf8')
const out = []
for (const line of input.split('\n')) {
  if (line === '') continue
  const inc = IncludeScope.fromString(line)
  if (!inc) {
    out.push(JSON.stringify({ valid: false }))
    continue
  }
  const doc = docs.get(inc.nsid)
  if (!doc) {
    out.push(JSON.stringify({ valid: true, found: false, reason: 'not-found' }))
    continue
  }
  if (doc.defs?.main?.type !== 'permission-set') {
    out.push(JSON.stringify({ valid: true, found: false, reason: 'not-a-permission-set' }))
    continue
  }
  try {
    out.push(JSON.stringify({ valid: true, found: true, granted: inc.toScopes(doc.defs.main) }))
  } catch (err) {
    out.push(JSON.stringify({ valid: true, found: true, throws: String(err) }))
  }
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''))

// Reference side of the lint benchmark: loads every `*.json` file under the directories given as
// arguments with the pinned @atproto/lexicon (`parseLexiconDoc`, then `Lexicons.add`), the work the
// reference does to accept a lexicon. Prints one JSON summary line:
// {"files":N,"accepted":N,"rejected":N,"ns":N,"errors":[{"file","message"}...]}
// where ns is the time spent reading, parsing and adding (startup excluded).

import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Lexicons, parseLexiconDoc } from '@atproto/lexicon'

function walk(dir, out) {
  const entries = readdirSync(dir, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of entries) {
    const p = join(dir, e.name)
    if (e.isDirectory()) walk(p, out)
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p)
  }
  return out
}

const start = process.hrtime.bigint()
const files = []
for (const dir of process.argv.slice(2)) walk(dir, files)
const lexicons = new Lexicons()
const errors = []
let accepted = 0
for (const file of files) {
  try {
    const doc = parseLexiconDoc(JSON.parse(readFileSync(file, 'utf8')))
    lexicons.add(doc)
    accepted++
  } catch (err) {
    errors.push({ file, message: String(err?.message ?? err).split('\n')[0] })
  }
}
const ns = process.hrtime.bigint() - start
process.stdout.write(
  JSON.stringify({
    files: files.length,
    accepted,
    rejected: errors.length,
    ns: Number(ns),
    errors,
  }) + '\n',
)

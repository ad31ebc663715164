// Prints every lexicon document of the pinned packages as one JSON line each:
// {"set": <corpus set>, "package": <name@version>, "doc": <lexicon document>}.
//
// usage: node extract.mjs <node_modules>
//
// - atproto: `@atproto/api`'s `schemaDict` (the lexicon documents as JSON; its code generator
//   writes every `ref`/`refs` entry as `lex:<nsid>#<name>`, which is turned back into the lexicon
//   form: `#<name>` inside the same document, `<nsid>#<name>` elsewhere), plus the permission
//   sets (`app.bsky.auth*`, `chat.bsky.authFullChatClient`), which `schemaDict` leaves out. Those
//   come from `@atproto/pds`, whose `dist/lexicons` modules build them with `@atproto/lex`
//   (`l.permissionSet(nsid, permissions, options)`); each `PermissionSet` value is written back as
//   the document it was generated from.
// - hypercerts: the JSON files under `@hypercerts-org/lexicon/lexicons/`.

import { createRequire } from 'node:module'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const modules = resolve(process.argv[2] ?? 'node_modules')
const require = createRequire(join(modules, 'noop.js'))

function version(name) {
  return JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')).version
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
}

function emit(set, pkg, doc) {
  process.stdout.write(JSON.stringify({ set, package: pkg, doc }) + '\n')
}

// `lex:<nsid>#<name>` → `#<name>` when <nsid> is the document's own id, else `<nsid>#<name>`.
function lexiconRef(ref, id) {
  if (typeof ref !== 'string' || !ref.startsWith('lex:')) return ref
  const target = ref.slice('lex:'.length)
  return target.startsWith(`${id}#`) ? target.slice(id.length) : target
}

// A copy of `value` with every `ref` string and `refs` array entry in lexicon form.
function unprefixRefs(value, id) {
  if (Array.isArray(value)) return value.map((v) => unprefixRefs(v, id))
  if (value === null || typeof value !== 'object') return value
  const out = {}
  for (const [key, v] of Object.entries(value)) {
    if (key === 'ref' && typeof v === 'string') out[key] = lexiconRef(v, id)
    else if (key === 'refs' && Array.isArray(v)) out[key] = v.map((r) => lexiconRef(r, id))
    else out[key] = unprefixRefs(v, id)
  }
  return out
}

// atproto: schemaDict
const api = `@atproto/api@${version('@atproto/api')}`
const { schemaDict } = require(join(modules, '@atproto/api/dist/client/lexicons.js'))
const seen = new Set()
for (const doc of Object.values(schemaDict)) {
  seen.add(doc.id)
  emit('atproto', api, unprefixRefs(doc, doc.id))
}

// atproto: the permission sets, from the generated modules of @atproto/pds
const pds = `@atproto/pds@${version('@atproto/pds')}`
for (const file of walk(join(modules, '@atproto/pds/dist/lexicons'))) {
  if (!file.endsWith('.defs.js')) continue
  if (!readFileSync(file, 'utf8').includes('.permissionSet(')) continue
  const { main } = await import(pathToFileURL(file).href)
  if (main?.constructor?.name !== 'PermissionSet') {
    throw new Error(`${file}: main is not a PermissionSet`)
  }
  if (seen.has(main.nsid)) continue
  seen.add(main.nsid)
  const permissions = main.permissions.map((p) => ({
    type: 'permission',
    resource: p.resource,
    ...p.options,
  }))
  emit('atproto', pds, {
    lexicon: 1,
    id: main.nsid,
    defs: { main: { type: 'permission-set', ...main.options, permissions } },
  })
}

// hypercerts: raw lexicon files
const hypercerts = `@hypercerts-org/lexicon@${version('@hypercerts-org/lexicon')}`
for (const file of walk(join(modules, '@hypercerts-org/lexicon/lexicons'))) {
  if (!file.endsWith('.json')) continue
  emit('hypercerts', hypercerts, JSON.parse(readFileSync(file, 'utf8')))
}

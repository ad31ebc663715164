// Reference PDS for tests, configured from PDS_* env vars, bound to 127.0.0.1.
import { PDS } from '@atproto/pds'
await PDS.run({
  onCreated: (pds) => {
    const listen = pds.app.listen.bind(pds.app)
    pds.app.listen = (p, ...rest) => listen(p, '127.0.0.1', ...rest)
  },
  onStarted: (pds) => console.log(`pds listening on ${JSON.stringify(pds.server.address())}`),
})

// Regenerates src/gql/types.ts from api/graphql and fails when the checked-in copy differs.
import { execFileSync } from 'node:child_process'

const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
run('npx', ['graphql-codegen', '--config', 'codegen.ts', '--silent'])
const changed = run('git', ['status', '--porcelain', '--', 'src/gql']).trim()
if (changed) {
  console.error(`generated GraphQL types are out of date: run 'npm run codegen' in web/ and commit\n${changed}`)
  console.error(run('git', ['diff', '--stat', '--', 'src/gql']))
  process.exit(1)
}
console.log('generated GraphQL types are up to date')

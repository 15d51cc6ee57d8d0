import type { CodegenConfig } from '@graphql-codegen/cli'

// Types for the schema in api/graphql and for every operation in src/ (written as
// /* GraphQL */ template strings). The output is checked in; CI regenerates it and fails on drift,
// and an operation the schema no longer accepts fails generation itself.
const config: CodegenConfig = {
  schema: '../api/graphql/*.graphqls',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  generates: {
    'src/gql/types.ts': {
      plugins: ['typescript-operations'],
      config: {
        scalars: { Time: 'string', Date: 'string' },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        useTypeImports: true,
        skipTypename: true,
      },
    },
  },
  hooks: {},
}
export default config

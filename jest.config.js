// Tests live beside the code (src/<area>/Foo.test.ts); cross-cutting ones in test/.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `npm run typecheck`; ts-jest only transpiles.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
    // ES-module-only dependencies (hyparquet): Node 20 loads them with require(); jest needs them as CommonJS.
    '^.+/node_modules/hyparquet[^/]*/.+\\.js$': ['ts-jest', { tsconfig: 'tsconfig.jest-esm.json' }],
  },
  transformIgnorePatterns: ['/node_modules/(?!hyparquet)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
};

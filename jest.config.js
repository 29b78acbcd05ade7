// Two projects: fast unit tests (client, emulator, schemas) and end-to-end tests that drive the real
// Pulumi engine. `npm test` runs both; slow matrices live in jest.slow.config.js.
const common = {
  preset: "ts-jest",
  testEnvironment: "node",
  testEnvironmentOptions: { globalsCleanup: "off" },
  // Examples and generated programs import the package by name, as users' programs do.
  moduleNameMapper: {
    "^pulumi-everflow$": "<rootDir>/sdk/index.ts",
    "^pulumi-everflow/client$": "<rootDir>/provider/client/index.ts",
    "^pulumi-everflow/emulator$": "<rootDir>/emulator/index.ts",
  },
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
};

const quiet = "<rootDir>/test/support/quiet-output.ts";

module.exports = {
  // Three files at a time on a 2-core machine: an engine test spends most of its time waiting on the
  // processes it starts (the pulumi CLI, the language host, the provider), so a third worker fills the
  // gaps; more only queue for the CPU. `--maxWorkers` on the command line overrides it.
  maxWorkers: 3,
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      setupFilesAfterEnv: [quiet],
    },
    {
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/test/support/e2e-setup.ts", quiet],
      slowTestThreshold: 120,
    },
  ],
};

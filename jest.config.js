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

module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    {
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/test/support/e2e-setup.ts"],
      slowTestThreshold: 120,
    },
  ],
};

// The packed-package suite (`npm run test:packed`): every project in examples/ installed from the
// `npm pack` tarball into a fresh directory and run with the plain `pulumi` CLI, as users run it.
const base = require("./jest.config.js");
const e2e = base.projects.find((p) => p.displayName === "e2e");

module.exports = {
  ...e2e,
  displayName: "packed",
  testMatch: ["<rootDir>/test/packed/**/*.test.ts"],
  globalSetup: "<rootDir>/test/packed/global-setup.ts",
  // Each example is its own test file; two run at once on a 2-core machine (set --maxWorkers to change).
  maxWorkers: 2,
  slowTestThreshold: 300,
};

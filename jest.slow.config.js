// Slow matrices that CI runs after `npm test`: long fault and scale scenarios against the engine.
const base = require("./jest.config.js");
const e2e = base.projects.find((p) => p.displayName === "e2e");

module.exports = {
  projects: [{ ...e2e, displayName: "slow", testMatch: ["<rootDir>/test/slow/**/*.test.ts"] }],
  passWithNoTests: false,
};

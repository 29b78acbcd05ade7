// Runs `pulumi up` for a stack of postbacks in a process of its own, so that a test can kill it (and the
// engine and provider under it) at any moment, as a cancelled CI job or a crashed runner would.
// Usage: node up-driver.js <workDir> <json [name, args][]>; the engine environment comes from env.
const path = require("node:path");
const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");
const { Postback } = require(path.resolve(__dirname, "..", "..", "dist", "sdk"));

async function main() {
  const [workDir, declared] = process.argv.slice(2);
  const postbacks = JSON.parse(declared);
  const program = async () => {
    for (const [name, args] of postbacks) new Postback(name, args);
  };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", projectName: "everflow-test", program },
    { workDir, pulumiCommand: await PulumiCommand.get({ root: process.env.PULUMI_ROOT }) },
  );
  await stack.up({ onOutput: (line) => process.stdout.write(line) });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error.message);
    process.exit(1);
  },
);

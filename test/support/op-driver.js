// Runs one engine operation (`up` or `refresh`) for a stack of postbacks in a process of its own, so
// that a test can signal the `pulumi` process under it as a user or a CI runner would.
// Usage: node op-driver.js <up|refresh> <workDir> <json [name, args][]>; engine environment from env.
// Prints the engine's output; exits 0 when the operation succeeded, 1 with its message otherwise.
const path = require("node:path");
const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");
const { Postback } = require(path.resolve(__dirname, "..", "..", "dist", "sdk"));

async function main() {
  const [op, workDir, declared] = process.argv.slice(2);
  const postbacks = JSON.parse(declared);
  const program = async () => {
    for (const [name, args] of postbacks) new Postback(name, args);
  };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", projectName: "everflow-test", program },
    { workDir, pulumiCommand: await PulumiCommand.get({ root: process.env.PULUMI_ROOT }) },
  );
  const onOutput = (line) => process.stdout.write(line);
  if (op === "refresh") await stack.refresh({ onOutput });
  else await stack.up({ onOutput });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error.message);
    process.exit(1);
  },
);

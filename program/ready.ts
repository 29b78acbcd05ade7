// Imported first by index.ts: the checkout must be ready for the program to load `pulumi-everflow` the
// way a user's program does. Without these checks the engine shows Node's "Cannot find module".
//
// - The program imports the package by its name, which Node resolves through package.json "exports" to
//   the build output in dist/, so `npm run build` comes first.
// - The engine starts the provider process in this directory, and it loads `pulumi-everflow/provider`
//   from node_modules (the dynamic provider host evaluates each resource's provider code with no file of
//   its own, so Node's self-reference by package name does not apply there). node_modules/pulumi-everflow
//   here is a committed symbolic link to the repository root, as npm links a `file:` dependency.
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");
const link = path.join(__dirname, "node_modules", "pulumi-everflow");

if (!fs.existsSync(link) || fs.realpathSync(link) !== fs.realpathSync(root)) {
  throw new Error(
    `${link} must be a symbolic link to ${root} (git checks it out as one; with core.symlinks=false, ` +
      `recreate it: ln -sfn ../.. ${path.relative(process.cwd(), link)})`,
  );
}
for (const entry of ["pulumi-everflow", "pulumi-everflow/provider"]) {
  try {
    require.resolve(entry, { paths: [__dirname] });
  } catch {
    throw new Error(
      `${entry} is not built in ${root}: run \`npm run build\` there, then \`pulumi up\` again`,
    );
  }
}

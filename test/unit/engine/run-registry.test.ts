import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Claims } from "../../../provider/core/claims";
import { RunRegistry } from "../../../provider/engine/run-registry";

// The provider processes of one engine run share their claims through a file named after the engine
// (its pid and address); processes of other runs do not see them.

const US = "https://api.eflow.team/v1";
const platformOf = () => US;
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-registry-"));
  fs.chmodSync(dir, 0o700);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A provider process of the run of engine `enginePid` at 127.0.0.1:4000. */
const processOf = (pid: number, enginePid = 1) =>
  new Claims(RunRegistry.forEngine("127.0.0.1:4000", { dir, pid, enginePid }), platformOf);

it("a keep in one process is a keeper for another: adoption refused, a delete only lets go", () => {
  const dynamic = processOf(101);
  const native = processOf(102);
  dynamic.keep("default", 1008, true, "a");
  expect(native.keeper(US, 1008, platformOf)).toEqual({ name: "a" });
  expect(native.adoptionConflict(US, 1008, platformOf)).toMatch(/resource "a" of this stack manages it/);
  // The keeper's later diff replaces it: the id is free again.
  dynamic.keep("default", 1008, false, "a");
  expect(native.keeper(US, 1008, platformOf)).toBeUndefined();
});

it("a hold in one process makes a delete in another only release it", () => {
  const importer = processOf(201);
  const deleter = processOf(202);
  expect(deleter.isHeld(US, 1009)).toBe(false);
  importer.hold(US, 1009);
  expect(deleter.isHeld(US, 1009)).toBe(true);
  expect(deleter.isHeld("https://api-eu.eflow.team/v1", 1009)).toBe(false);
});

it("another run (another engine) sees nothing", () => {
  processOf(301, 1).hold(US, 1010);
  expect(processOf(302, 2).isHeld(US, 1010)).toBe(false);
});

it("records ids and names only, and trusts no directory of another mode", () => {
  processOf(401).keep("default", 1011, true, "kept-one");
  const [file] = fs.readdirSync(dir);
  expect(fs.readFileSync(path.join(dir, file!), "utf8")).toBe(
    `{"kind":"keep","key":"${US}#1011","name":"kept-one","pid":401}\n`,
  );
  fs.chmodSync(dir, 0o777);
  expect(RunRegistry.forEngine("127.0.0.1:4000", { dir, pid: 1, enginePid: 1 })).toBeUndefined();
});

// `pulumi-everflow adopt` against a server whose paging is wrong: it fails, naming what is missing, and
// writes no program, rather than a program that silently leaves postbacks out.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle, type PagingQuirks } from "../../../emulator";
import { resetClientRegistry } from "../../../provider/client";
import { runCli, spawnCli } from "./helpers";

const KEY = "ef-adopt-paging-key-77c1";

describe("adopt under paging anomalies", () => {
  let emu: EmulatorHandle;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emu = await startEmulator({
      accounts: [{ apiKey: KEY, networkId: 1, affiliateId: 7 }],
      rateLimit: { rate: 1000, burst: 1000 },
    });
    for (let i = 0; i < 120; i++)
      emu.store.seed(KEY, { postback_url: `https://t.example/${i}?t={transaction_id}` });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "adopt-paging-"));
    env = { ...process.env, EVERFLOW_API_KEY: KEY, EVERFLOW_BASE_URL: emu.url };
  });
  afterEach(async () => {
    emu.settings.resetPaging();
    await resetClientRegistry();
  });
  afterAll(async () => {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, Partial<PagingQuirks>, RegExp]> = [
    [
      "pages counted from 0",
      { zeroBased: true, maxPageSize: 50 },
      /listed 70 of 120 postbacks: page 3 came back empty/,
    ],
    [
      "a repeated page",
      { repeatFirstPage: true, maxPageSize: 50 },
      /listed 50 of 120 postbacks: page 2 repeats/,
    ],
    ["a wrong total", { totalOffset: 5 }, /listed 120 of 125 postbacks: page 2 came back empty/],
    ["short pages", { shortPages: 40 }, /listed 40 of 120 postbacks: page 2 came back empty/],
    [
      "rows shifted between pages",
      { duplicateAcrossPages: true, maxPageSize: 50 },
      /page 2 repeats postback/,
    ],
  ];

  test.each(cases)("%s: exit 1, the shortfall named, no program written", async (_name, quirks, why) => {
    emu.settings.setPaging(quirks);
    const out = path.join(dir, `${_name.replace(/\W+/g, "-")}.ts`);
    const r = await runCli(["adopt", "--out", out], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(why);
    expect(r.stderr).toMatch(/^pulumi-everflow adopt: cannot list the postbacks of account "default"/);
    expect(r.stderr).not.toContain(KEY);
    expect(fs.existsSync(out)).toBe(false);
  });

  test("never-ending paging: the binary gives up at its page limit and prints no program", async () => {
    emu.settings.setPaging({ endless: true, maxPageSize: 2 });
    // The client's own rate limit would make 500 pages take 100 s: this test is about the bound.
    const r = await spawnCli(["adopt"], {
      ...env,
      EVERFLOW_REQUESTS_PER_SECOND: "1000",
      EVERFLOW_BURST: "1000",
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("stopped after 500 pages (the limit)");
  });

  test("an honest server that caps its page size: all 120 adopted", async () => {
    emu.settings.setPaging({ maxPageSize: 50, alwaysPaged: true });
    const r = await runCli(["adopt"], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("adopt: wrote 120 postbacks");
    expect(r.stdout.match(/new Postback\(/g)).toHaveLength(120);
  });
});

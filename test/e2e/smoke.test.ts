import * as pulumi from "@pulumi/pulumi";
import { createTestStack, TestStack } from "../support/stack";

// A minimal dynamic resource, independent of the Everflow provider: proves the engine, the plugin
// shim, the local backend and the Automation API work together before anything else is tested.
const echoProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `echo-${inputs.value}`, outs: inputs };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
  async diff(_id, olds, news) {
    return { changes: olds.value !== news.value };
  },
  async read(id, props) {
    return { id, props };
  },
};

class Echo extends pulumi.dynamic.Resource {
  constructor(name: string, value: string) {
    super(echoProvider, name, { value }, undefined, "smoke", "Echo");
  }
}

describe("the real Pulumi engine", () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await createTestStack("smoke", async () => {
      const echo = new Echo("hello", "world");
      return { id: echo.id };
    });
  });
  afterAll(() => t?.cleanup());

  it("runs preview, up, a no-op up, refresh and destroy", async () => {
    const version = await t.stack.workspace.pulumiVersion;
    expect(version).toMatch(/^3\.\d+\.\d+/);

    const preview = await t.stack.preview();
    expect(preview.changeSummary).toEqual({ create: 2 });

    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(up.outputs.id?.value).toBe("echo-world");

    const again = await t.stack.up();
    expect(again.summary.resourceChanges).toEqual({ same: 2 });

    const refresh = await t.stack.refresh();
    expect(refresh.summary.resourceChanges).toEqual({ same: 2 });

    const exported = await t.stack.exportStack();
    const echo = exported.deployment.resources.find(
      (r: { type: string }) => r.type === "pulumi-nodejs:dynamic/smoke:Echo",
    );
    expect(echo).toMatchObject({ id: "echo-world", outputs: { value: "world" } });

    const destroy = await t.stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    const after = await t.stack.exportStack();
    expect(after.deployment.resources ?? []).toHaveLength(0);
  });
});

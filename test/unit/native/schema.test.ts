import * as fs from "node:fs";
import { z } from "zod";
import * as path from "node:path";
import { tarballPath } from "../../../scripts/build-plugin";
import { packageJsonVersion, REPO_ROOT, SCHEMA_PATH, schemaText } from "../../../scripts/gen-schema";
import { ProviderConfigSchema, SECRET_CONFIG_KEYS } from "../../../provider/core/provider-config";
import { PostbackFields, PostbackStateFields } from "../../../provider/core/schema";

// The package schema is derived from the core's zod schemas: these fail when the committed
// provider/native/schema.json and the zod schemas disagree (run `npm run gen:sdks`).

const committed = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as {
  version: string;
  config: { variables: Record<string, { secret?: boolean }> };
  provider: { inputProperties: Record<string, { secret?: boolean }> };
  resources: Record<
    string,
    {
      inputProperties: Record<string, { secret?: boolean; description?: string }>;
      requiredInputs: string[];
      properties: Record<string, unknown>;
    }
  >;
};
const postback = committed.resources["everflow:index:Postback"]!;

describe("the native plugin's package schema", () => {
  it("is what the zod schemas and their docs give, byte for byte", () => {
    expect(fs.readFileSync(SCHEMA_PATH, "utf8")).toBe(schemaText(packageJsonVersion()));
  });

  it("carries the package version, as do the plugin and both SDKs", () => {
    const version = packageJsonVersion();
    expect(committed.version).toBe(version);
    const pluginJson = (file: string) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, file), "utf8"));
    for (const sdk of [
      "sdk/python/pulumi_everflow/pulumi-plugin.json",
      "sdk/go/everflow/pulumi-plugin.json",
    ]) {
      expect({ sdk, ...pluginJson(sdk) }).toEqual({ sdk, resource: true, name: "everflow", version });
    }
    expect(fs.readFileSync(path.join(REPO_ROOT, "sdk/python/setup.py"), "utf8")).toContain(
      `VERSION = "${version}"`,
    );
    expect(path.basename(tarballPath())).toBe(`pulumi-resource-everflow-v${version}-linux-amd64.tar.gz`);
  });

  it("has every declared input but the dynamic face's importId, each described", () => {
    const declared = Object.keys(PostbackFields.shape).filter((k) => k !== "importId");
    expect(Object.keys(postback.inputProperties).sort()).toEqual([...declared].sort());
    for (const [name, property] of Object.entries(postback.inputProperties)) {
      expect({ name, described: (property.description ?? "").length > 10 }).toEqual({
        name,
        described: true,
      });
    }
  });

  it("requires exactly the inputs zod requires, and outputs what Everflow adds", () => {
    const json = z.toJSONSchema(PostbackFields, { io: "input" }) as { required: string[] };
    expect([...postback.requiredInputs].sort()).toEqual([...json.required].sort());
    for (const key of Object.keys(PostbackStateFields.shape)) expect(postback.properties).toHaveProperty(key);
  });

  it("keeps the facebook pixel and the credentials secret", () => {
    expect(postback.inputProperties.facebookPixel?.secret).toBe(true);
    for (const key of SECRET_CONFIG_KEYS) {
      expect(committed.config.variables[key]?.secret).toBe(true);
      expect(committed.provider.inputProperties[key]?.secret).toBe(true);
    }
    expect(Object.keys(committed.config.variables).sort()).toEqual(
      Object.keys(ProviderConfigSchema.shape).sort(),
    );
  });
});

// The native plugin's Pulumi package schema (provider/native/schema.json), derived from the one source
// of truth: the zod schemas of the core (types, enums, which inputs are required, which are secret)
// and the doc comments on their fields (descriptions). `npm run gen:sdks` writes it before generating
// the SDKs from it; a unit test fails when the committed file and this derivation disagree.
//
//   node dist/scripts/gen-schema.js [--check]    (--check: exit 1 when the committed file differs)

import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { z } from "zod";
import {
  AccountConfigSchema,
  ProviderConfigSchema,
  SECRET_CONFIG_KEYS,
} from "../provider/core/provider-config";
import { FacebookPixelSchema, PostbackFields, PostbackStateFields } from "../provider/core/schema";
import { ALWAYS_SECRET } from "../provider/core/secrecy";

export const REPO_ROOT = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..",
);
export const SCHEMA_PATH = path.join(REPO_ROOT, "provider", "native", "schema.json");

const PACKAGE = "everflow";
const RESOURCE = `${PACKAGE}:index:Postback`;
/** The Go SDK's module path (sdk/go/everflow in this repository). */
export const GO_IMPORT_BASE = "github.com/pulumi-everflow/pulumi-everflow/sdk/go/everflow";
/** Declared inputs the native face does not take: the engine's own `import` replaces the SDK's. */
const DYNAMIC_ONLY_INPUTS = new Set(["importId"]);

type JsonSchema = {
  type?: string;
  enum?: string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  default?: unknown;
  anyOf?: JsonSchema[];
};

type PulumiType = {
  type?: string;
  $ref?: string;
  items?: PulumiType;
  additionalProperties?: PulumiType;
};
type PulumiProperty = PulumiType & { description?: string; secret?: boolean };

interface Docs {
  /** Field → its doc comment, per zod object, by the name of the variable it is declared in. */
  of(variable: string): Map<string, string>;
}

/** The package schema for `version`: deterministic, so regenerating changes no byte. */
export function packageSchema(version: string): Record<string, unknown> {
  const docs = docComments([
    path.join(REPO_ROOT, "provider", "core", "schema.ts"),
    path.join(REPO_ROOT, "provider", "core", "provider-config.ts"),
  ]);
  const types: Record<string, unknown> = {};
  const inputs = objectProperties(PostbackFields, docs.of("PostbackFields"), types, {
    skip: DYNAMIC_ONLY_INPUTS,
    secret: new Set(ALWAYS_SECRET),
    objects: { facebookPixel: ["FacebookPixel", FacebookPixelSchema, docs.of("FacebookPixelSchema")] },
  });
  const state = objectProperties(PostbackStateFields, docs.of("PostbackStateFields"), types, {});
  const inputSchema = jsonSchema(PostbackFields);
  // Required inputs: those without a default. Outputs: every input with a value after check (required
  // or defaulted), and what Everflow adds.
  const requiredInputs = (inputSchema.required ?? []).filter((k) => !DYNAMIC_ONLY_INPUTS.has(k));
  const defaulted = Object.entries(inputSchema.properties ?? {})
    .filter(([, p]) => p.default !== undefined)
    .map(([k]) => k);
  const config = objectProperties(ProviderConfigSchema, docs.of("ProviderConfigSchema"), types, {
    secret: new Set<string>(SECRET_CONFIG_KEYS),
    records: { accounts: ["Account", AccountConfigSchema, docs.of("AccountConfigSchema")] },
  });
  return {
    name: PACKAGE,
    displayName: "Everflow",
    version,
    description:
      "Everflow affiliate postbacks (pixels) as code: declare them, apply them with `pulumi up`, and catch " +
      "hand edits with `pulumi preview --refresh`.",
    keywords: ["pulumi", PACKAGE, "postbacks", "affiliate", "category/utility"],
    license: "Apache-2.0",
    repository: "https://github.com/pulumi-everflow/pulumi-everflow",
    config: { variables: config },
    provider: {
      description:
        "The Everflow provider. Each provider holds one affiliate API key and base URL (and optionally " +
        "named accounts); a postback uses its provider's `default` account unless its `account` names " +
        "another.",
      inputProperties: config,
    },
    resources: {
      [RESOURCE]: {
        description:
          'An Everflow affiliate postback ("pixel" in the API). Created with `POST /affiliates/pixels`, ' +
          "updated in place with a full-replacement `PUT`, refreshed with `GET`. Everflow has no delete " +
          "for affiliate postbacks: destroying one sets it `inactive`. Take over an existing postback " +
          "with `pulumi import everflow:index:Postback <name> <id>` or the `import` resource option.",
        inputProperties: inputs,
        requiredInputs,
        properties: { ...inputs, ...state },
        required: [...new Set([...requiredInputs, ...defaulted, ...Object.keys(state)])].sort(),
      },
    },
    types,
    language: {
      python: {
        packageName: "pulumi_everflow",
        respectSchemaVersion: true,
        requires: { pulumi: ">=3.0.0,<4.0.0" },
      },
      go: {
        importBasePath: GO_IMPORT_BASE,
        respectSchemaVersion: true,
        generateResourceContainerTypes: true,
      },
    },
  };
}

interface PropertyOptions {
  skip?: ReadonlySet<string>;
  secret?: ReadonlySet<string>;
  /** Object-valued fields: the type name, its zod schema and its docs. */
  objects?: Record<string, [string, z.ZodObject, Map<string, string>]>;
  /** Map-valued fields: the value type's name, schema and docs. */
  records?: Record<string, [string, z.ZodObject, Map<string, string>]>;
}

function objectProperties(
  schema: z.ZodObject,
  docs: Map<string, string>,
  types: Record<string, unknown>,
  options: PropertyOptions,
): Record<string, PulumiProperty> {
  const json = jsonSchema(schema);
  const out: Record<string, PulumiProperty> = {};
  for (const [name, field] of Object.entries(json.properties ?? {})) {
    if (options.skip?.has(name)) continue;
    const description = docs.get(name);
    if (description === undefined)
      throw new Error(`${name} has no doc comment: every field's doc is its schema description`);
    const object = options.objects?.[name];
    const record = options.records?.[name];
    let type: PulumiType;
    if (object) type = { $ref: `#/types/${PACKAGE}:index:${objectType(object, types)}` };
    else if (record)
      type = {
        type: "object",
        additionalProperties: { $ref: `#/types/${PACKAGE}:index:${objectType(record, types)}` },
      };
    else if (field.enum) type = { $ref: `#/types/${PACKAGE}:index:${enumType(name, field.enum, types)}` };
    else type = scalar(name, field);
    out[name] = { ...type, description, ...(options.secret?.has(name) ? { secret: true } : {}) };
  }
  return out;
}

function objectType(
  [name, schema, docs]: [string, z.ZodObject, Map<string, string>],
  types: Record<string, unknown>,
): string {
  const json = jsonSchema(schema);
  types[`${PACKAGE}:index:${name}`] = {
    type: "object",
    properties: objectProperties(schema, docs, types, {}),
    ...(json.required && json.required.length > 0 ? { required: json.required } : {}),
  };
  return name;
}

function enumType(field: string, values: string[], types: Record<string, unknown>): string {
  const name = pascal(field);
  types[`${PACKAGE}:index:${name}`] = {
    type: "string",
    enum: values.map((value) => ({ name: pascal(value), value })),
  };
  return name;
}

function scalar(name: string, field: JsonSchema): PulumiType {
  const t = field.type ?? field.anyOf?.find((a) => a.type !== "null")?.type;
  if (t === "string" || t === "integer" || t === "number" || t === "boolean") return { type: t };
  throw new Error(`${name}: no Pulumi type for JSON schema ${JSON.stringify(field)}`);
}

function jsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

const pascal = (s: string) =>
  s
    .replace(/(^|[_-])([a-z])/g, (_m, _sep, c: string) => c.toUpperCase())
    .replace(/^./, (c) => c.toUpperCase());

/** The doc comment of each property of each object literal assigned (through calls) to a variable. */
function docComments(files: string[]): Docs {
  const byVariable = new Map<string, Map<string, string>>();
  for (const file of files) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    source.forEachChild(function visit(node): void {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
        const literal = firstObjectLiteral(node.initializer);
        if (literal) byVariable.set(node.name.text, propertyDocs(literal));
      }
      node.forEachChild(visit);
    });
  }
  return {
    of(variable) {
      const docs = byVariable.get(variable);
      if (!docs) throw new Error(`no object literal declared as ${variable}`);
      return docs;
    },
  };
}

/** The object literal of `z.strictObject({...})` (possibly inside further calls). */
function firstObjectLiteral(node: ts.Node): ts.ObjectLiteralExpression | undefined {
  if (ts.isObjectLiteralExpression(node)) return node;
  if (ts.isCallExpression(node)) {
    for (const arg of node.arguments) {
      const found = firstObjectLiteral(arg);
      if (found) return found;
    }
    return firstObjectLiteral(node.expression);
  }
  if (ts.isPropertyAccessExpression(node)) return firstObjectLiteral(node.expression);
  return undefined;
}

function propertyDocs(literal: ts.ObjectLiteralExpression): Map<string, string> {
  const docs = new Map<string, string>();
  for (const property of literal.properties) {
    if (!property.name || !ts.isIdentifier(property.name)) continue;
    const text = ts
      .getJSDocCommentsAndTags(property)
      .map((doc) => (ts.isJSDoc(doc) ? ts.getTextOfJSDocComment(doc.comment) : undefined))
      .filter((t): t is string => t !== undefined)
      .join("\n");
    if (text) docs.set(property.name.text, text.replace(/\s*\n\s*/g, " ").trim());
  }
  return docs;
}

/** The schema as the file holds it. */
export function schemaText(version: string): string {
  return `${JSON.stringify(packageSchema(version), null, 2)}\n`;
}

export function packageJsonVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string })
    .version;
}

if (require.main === module) {
  const text = schemaText(packageJsonVersion());
  if (process.argv.includes("--check")) {
    const committed = fs.existsSync(SCHEMA_PATH) ? fs.readFileSync(SCHEMA_PATH, "utf8") : "";
    if (committed !== text) {
      console.error(`${path.relative(REPO_ROOT, SCHEMA_PATH)} is out of date: run npm run gen:sdks`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(SCHEMA_PATH, text);
    console.log(`wrote ${path.relative(REPO_ROOT, SCHEMA_PATH)} (version ${packageJsonVersion()})`);
  }
}

import { emptyLine, headerLines, literal, type DeclaredValue, type ProgramModel } from "./adopt-model";

/**
 * The TypeScript program: the `Postback` class of this package (the dynamic provider), each postback
 * adopted through its `import` option, secrets read with `config.requireSecret`.
 */
export function typescriptProgram(model: ProgramModel): string {
  const header = headerLines(model, "typescript").map((line) => `// ${line}`);
  const blocks = model.declarations.map((d) =>
    [
      "new Postback(",
      `  ${literal(d.name)},`,
      "  {",
      ...d.fields.flatMap(({ field, value }) => property(field, value)),
      "  },",
      `  { import: ${literal(String(d.id))} },`,
      ");",
    ].join("\n"),
  );
  const secrets = model.secrets.length > 0;
  const imports = secrets ? ['import * as pulumi from "@pulumi/pulumi";'] : [];
  imports.push('import { Postback } from "pulumi-everflow";');
  const parts = [header.join("\n"), imports.join("\n")];
  if (secrets) parts.push("const config = new pulumi.Config();");
  if (blocks.length === 0) parts.push(`// ${emptyLine(model)}`);
  parts.push(...blocks);
  return `${parts.join("\n\n")}\n`;
}

function property(field: string, value: DeclaredValue): string[] {
  switch (value.kind) {
    case "literal":
      return [`    ${field}: ${literal(value.value)},`];
    case "config":
      return [`    ${field}: config.requireSecret(${literal(value.key)}),`];
    case "facebook":
      return [
        "    facebookPixel: {",
        `      pixelId: ${literal(value.pixelId)},`,
        `      eventName: ${literal(value.eventName)},`,
        `      accessToken: config.requireSecret(${literal(value.tokenKey)}),`,
        "    },",
      ];
  }
}

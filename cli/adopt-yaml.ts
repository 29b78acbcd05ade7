import { emptyLine, headerLines, type DeclaredValue, type ProgramModel } from "./adopt-model";

/**
 * The Pulumi YAML program: a whole Pulumi.yaml (`name`, `runtime: yaml`, `config`, `resources`) whose
 * resources are the native plugin's `everflow:index:Postback`, each taken over with `options: import`.
 * Each secret is declared in `config:` as a secret string and read as `${key}`.
 *
 * Strings are written as YAML double-quoted scalars (JSON escapes are valid there), with `${` written
 * `$${`: Pulumi YAML interpolates `${...}` in every string, and an HTML pixel's JavaScript may hold one.
 */
export function yamlProgram(model: ProgramModel): string {
  const lines = headerLines(model, "yaml").map((line) => `# ${line}`);
  lines.push(`name: ${scalar(model.project)}`, "runtime: yaml");
  if (model.secrets.length > 0) {
    lines.push("config:");
    for (const s of model.secrets) {
      lines.push(`  ${s.key}:`, "    type: string", "    secret: true");
    }
  }
  if (model.declarations.length === 0) {
    lines.push(`# ${emptyLine(model)}`, "resources: {}");
    return `${lines.join("\n")}\n`;
  }
  lines.push("resources:");
  model.declarations.forEach((d, i) => {
    if (i > 0) lines.push("");
    lines.push(`  ${d.name}:`, "    type: everflow:index:Postback", "    properties:");
    for (const { field, value } of d.fields) lines.push(...property(field, value));
    lines.push("    options:", `      import: ${scalar(String(d.id))}`);
  });
  return `${lines.join("\n")}\n`;
}

function property(field: string, value: DeclaredValue): string[] {
  switch (value.kind) {
    case "literal":
      return [`      ${field}: ${scalar(value.value)}`];
    case "config":
      return [`      ${field}: \${${value.key}}`];
    case "facebook":
      return [
        "      facebookPixel:",
        `        pixelId: ${scalar(value.pixelId)}`,
        `        eventName: ${scalar(value.eventName)}`,
        `        accessToken: \${${value.tokenKey}}`,
      ];
  }
}

/**
 * A YAML scalar: numbers as they are, strings double-quoted with Pulumi's interpolation escaped, and the
 * characters YAML does not allow unescaped (C1 controls, DEL, line and paragraph separators, BOM) escaped;
 * JSON escapes the C0 controls itself.
 */
export function scalar(value: string | number): string {
  if (typeof value === "number") return String(value);
  return JSON.stringify(value)
    .replace(
      /[\u007f-\u009f\u2028\u2029\ufeff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    )
    .replaceAll("${", () => "$${"); // a function: in a replacement string, "$$" means "$"
}

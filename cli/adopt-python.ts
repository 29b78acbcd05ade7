import { emptyLine, headerLines, literal, type DeclaredValue, type ProgramModel } from "./adopt-model";

/**
 * The Python program (`__main__.py`): the generated `pulumi_everflow` SDK's `Postback` (the native
 * plugin), each postback taken over with `pulumi.ResourceOptions(import_=...)`, secrets read with
 * `config.require_secret`. A JSON string literal is a valid Python string literal (the same escapes),
 * and so is a JSON number.
 */
export function pythonProgram(model: ProgramModel): string {
  const header = headerLines(model, "python").map((line) => `# ${line}`);
  const secrets = model.secrets.length > 0;
  const parts = [header.join("\n"), ["import pulumi", "import pulumi_everflow as everflow"].join("\n")];
  if (secrets) parts.push("config = pulumi.Config()");
  if (model.declarations.length === 0) parts.push(`# ${emptyLine(model)}`);
  for (const d of model.declarations) {
    parts.push(
      [
        "everflow.Postback(",
        `    ${literal(d.name)},`,
        ...d.fields.flatMap(({ field, value }) => argument(snakeCase(field), value)),
        `    opts=pulumi.ResourceOptions(import_=${literal(String(d.id))}),`,
        ")",
      ].join("\n"),
    );
  }
  return `${parts.join("\n\n")}\n`;
}

function argument(name: string, value: DeclaredValue): string[] {
  switch (value.kind) {
    case "literal":
      return [`    ${name}=${literal(value.value)},`];
    case "config":
      return [`    ${name}=config.require_secret(${literal(value.key)}),`];
    case "facebook":
      return [
        `    ${name}=everflow.FacebookPixelArgs(`,
        `        pixel_id=${literal(value.pixelId)},`,
        `        event_name=${literal(value.eventName)},`,
        `        access_token=config.require_secret(${literal(value.tokenKey)}),`,
        "    ),",
      ];
  }
}

/** The SDK's argument names: `networkOfferId` is `network_offer_id`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

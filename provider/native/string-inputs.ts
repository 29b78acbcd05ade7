import schema from "./schema.json";

/**
 * Pulumi YAML reads a config value that looks like a number as a number (pulumi/pulumi-yaml#577), so
 * `facebookPixel: { pixelId: ${facebookPixelId} }` with `facebookPixelId: "1234567890"` in the stack's
 * config declares a number where the schema says string. At the edge of the native face, a number
 * given for a property the package schema types as a string is taken as its decimal text; everything
 * else reaches the core's check as declared.
 */

type Props = Record<string, unknown>;
interface Property {
  type?: string;
  $ref?: string;
}

const TYPES = schema.types as Record<string, { properties?: Record<string, Property> }>;
const POSTBACK = schema.resources["everflow:index:Postback"].inputProperties as Record<string, Property>;

export function stringInputs(props: Props, properties: Record<string, Property> = POSTBACK): Props {
  const out: Props = { ...props };
  for (const [name, value] of Object.entries(props)) {
    const property = properties[name];
    if (!property) continue;
    if (property.type === "string" && typeof value === "number" && Number.isFinite(value)) {
      out[name] = String(value);
      continue;
    }
    const nested = property.$ref ? TYPES[property.$ref.replace("#/types/", "")]?.properties : undefined;
    if (nested && typeof value === "object" && value !== null && !Array.isArray(value)) {
      out[name] = stringInputs(value as Props, nested);
    }
  }
  return out;
}

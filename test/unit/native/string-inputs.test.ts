import { stringInputs } from "../../../provider/native/string-inputs";

describe("numbers given for string properties (Pulumi YAML reads numeric-looking config as numbers)", () => {
  it("become their decimal text where the schema says string, nested ones too", () => {
    expect(
      stringInputs({
        postbackUrl: "https://t.example.com/cb",
        facebookPixel: { pixelId: 1234567890, eventName: "Purchase", accessToken: "tok" },
        delayMs: 5,
        networkOfferId: 42,
      }),
    ).toEqual({
      postbackUrl: "https://t.example.com/cb",
      facebookPixel: { pixelId: "1234567890", eventName: "Purchase", accessToken: "tok" },
      delayMs: 5,
      networkOfferId: 42,
    });
  });

  it("leaves anything else as declared, for the check to judge", () => {
    const odd = { pixelType: true, htmlCode: ["x"], facebookPixel: "no", unknownField: 3 };
    expect(stringInputs(odd)).toEqual(odd);
  });
});

import { takeImportName, withoutProvider } from "../../../provider/dynamic/hidden-inputs";

describe("the dynamic face's hidden inputs", () => {
  it("takes the SDK's resource name off the inputs", () => {
    expect(takeImportName({ importId: "1", importName: "a", delayMs: 0 })).toEqual({
      inputs: { importId: "1", delayMs: 0 },
      importName: "a",
    });
    expect(takeImportName({ delayMs: 0 }).importName).toBeUndefined();
  });

  it("withoutProvider drops the serialized provider only", () => {
    expect(withoutProvider({ __provider: "stub", delayMs: 0 })).toEqual({ delayMs: 0 });
  });
});

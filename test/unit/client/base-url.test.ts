// Base URLs: the API key rides in a header of every request, so plain http is refused unless the host is
// loopback, in every spelling the URL parser accepts, and the refusal says why in one line.

import { EverflowClient } from "../../../provider/client";
import { isLoopbackHost } from "../../../provider/client/base-url";
import { API_KEY } from "./helpers";

const make = (baseUrl: string) => new EverflowClient({ apiKey: API_KEY, baseUrl });

describe("plain http", () => {
  test.each([
    "http://localhost:8080/v1",
    "HTTP://LOCALHOST:8080/v1",
    "http://localhost.:8080/v1",
    "http://127.0.0.1:4000/v1",
    "http://127.255.3.9/v1",
    "http://127.1:4000/v1", // the URL parser reads it as 127.0.0.1
    "http://0x7f000001/v1",
    "http://[::1]:4000/v1",
    "http://[0:0:0:0:0:0:0:1]/v1",
    "http://[::ffff:127.0.0.1]/v1",
  ])("is allowed to loopback: %s", (baseUrl) => {
    expect(make(baseUrl).baseUrl).toBe(baseUrl);
  });

  test("the refusal is one line that names the URL, why, and what to use", () => {
    expect(() => make("http://api.example.com/v1")).toThrow(
      new TypeError(
        "EverflowClient: baseUrl http://api.example.com/v1 would send the API key unencrypted; use https:// " +
          "(plain http is allowed only for loopback: localhost, 127.0.0.0/8, ::1)",
      ),
    );
  });

  test.each([
    "http://api.eflow.team/v1",
    "HTTP://API.EFLOW.TEAM/v1",
    "http://10.0.0.7:8080/v1",
    "http://192.168.1.20/v1",
    "http://0.0.0.0:4000/v1", // "any address", reached from elsewhere too
    "http://128.0.0.1/v1",
    "http://[::2]/v1",
    "http://[::ffff:10.0.0.1]/v1",
    "http://[fe80::1]/v1",
    "http://localhost.example.com/v1",
    "http://api.localhost/v1", // a resolver may send it to DNS
    "http://127.0.0.1.nip.io/v1",
  ])("is refused elsewhere: %s", (baseUrl) => {
    expect(() => make(baseUrl)).toThrow(/would send the API key unencrypted; use https:\/\//);
  });

  test("credentials in a refused URL, and the API key, never reach the message", () => {
    let message = "";
    try {
      make(`http://user:hunter2secret@api.example.com/v1?key=${API_KEY}`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("would send the API key unencrypted");
    expect(message).toContain("http://api.example.com/v1");
    expect(message).not.toContain("hunter2secret");
    expect(message).not.toContain("user");
    expect(message).not.toContain(API_KEY);
    expect(message.split("\n")).toHaveLength(1);
  });
});

test("https is allowed anywhere", () => {
  for (const baseUrl of ["https://api.eflow.team/v1", "https://10.0.0.7/v1", "https://localhost:8443/v1"]) {
    expect(make(baseUrl).baseUrl).toBe(baseUrl);
  }
});

test("isLoopbackHost reads hostnames as URL.hostname gives them", () => {
  expect(isLoopbackHost("localhost")).toBe(true);
  expect(isLoopbackHost("[::1]")).toBe(true);
  expect(isLoopbackHost("::1")).toBe(true);
  expect(isLoopbackHost("127.0.0.53")).toBe(true);
  expect(isLoopbackHost("localhost.localdomain")).toBe(false);
  expect(isLoopbackHost("")).toBe(false);
});

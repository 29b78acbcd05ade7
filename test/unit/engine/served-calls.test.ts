// served-calls.ts: after a signal the provider exits at once when it serves nothing (the end of every
// run), else once the calls in flight have answered, and never later than the grace period.
import { ANSWER_FLUSH_MS, exitWhenServed, ServedCalls } from "../../../provider/engine/served-calls";

const GRACE_MS = 2_000;

describe("exitWhenServed", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("exits at once when no call is being served", () => {
    const exit = jest.fn();
    exitWhenServed(new ServedCalls(), exit, GRACE_MS);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it("waits for the calls in flight to answer, then for their answers to leave", async () => {
    const calls = new ServedCalls();
    const first = calls.begin();
    const second = calls.begin();
    const exit = jest.fn();
    exitWhenServed(calls, exit, GRACE_MS);
    first();
    first(); // a second answer of the same call does not count twice
    await jest.advanceTimersByTimeAsync(500);
    expect(calls.serving).toBe(1);
    expect(exit).not.toHaveBeenCalled();
    second();
    await jest.advanceTimersByTimeAsync(ANSWER_FLUSH_MS - 1);
    expect(exit).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalled();
  });

  it("exits after the grace period when a call never answers", async () => {
    const calls = new ServedCalls();
    calls.begin();
    const exit = jest.fn();
    exitWhenServed(calls, exit, GRACE_MS);
    await jest.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(exit).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it("exits after the grace period when the calls cannot be counted", async () => {
    const exit = jest.fn();
    exitWhenServed(undefined, exit, GRACE_MS);
    await jest.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(exit).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledTimes(1);
  });
});

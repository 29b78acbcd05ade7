// Engine operations take seconds each; a whole scenario can take minutes on a 2-core machine.
jest.setTimeout(300_000);

import { EverflowClient, EVERFLOW_BASE_URL_US } from "../provider/client";
import { keyPlaces, Settings, type ConfigSource } from "../provider/settings";
import { CliError, messageOf, oneLine } from "./args";

/**
 * Everflow clients for the commands, built from the same settings as the provider's: stack config
 * first (when a stack is involved), then `EVERFLOW_*` environment variables. The API key never appears
 * in a message.
 */

export interface AccountClient {
  client: EverflowClient;
  baseUrl: string;
}

export function accountClient(account: string, env: NodeJS.ProcessEnv, config?: ConfigSource): AccountClient {
  const settings = new Settings(config, env);
  let credentials;
  let transport;
  try {
    credentials = settings.account(account);
    transport = settings.transport();
  } catch (error) {
    throw new CliError(oneLine(messageOf(error)));
  }
  if (credentials instanceof Error) {
    const [, envVar] = keyPlaces(account);
    throw new CliError(
      config === undefined
        ? `no Everflow API key for account "${account}": set the ${envVar} environment variable`
        : credentials.message,
    );
  }
  const baseUrl = credentials.baseUrl ?? EVERFLOW_BASE_URL_US;
  try {
    const client = new EverflowClient({
      apiKey: credentials.apiKey,
      baseUrl,
      ...(transport.rateLimit ? { rateLimit: transport.rateLimit } : {}),
      ...(transport.maxAttempts ? { retry: { maxAttempts: transport.maxAttempts } } : {}),
      ...(transport.timeoutMs
        ? {
            timeouts: {
              connectMs: transport.timeoutMs,
              headersMs: transport.timeoutMs,
              bodyMs: transport.timeoutMs,
            },
          }
        : {}),
    });
    return { client, baseUrl: client.baseUrl };
  } catch (error) {
    throw new CliError(oneLine(messageOf(error)));
  }
}

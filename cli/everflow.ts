import { EverflowClient } from "../provider/client";
import { keyPlaces } from "../provider/core/config-keys";
import { clientOptions, MissingApiKeyError, Settings, type ConfigSource } from "../provider/core/settings";
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
      config === undefined && credentials instanceof MissingApiKeyError
        ? `no Everflow API key for account "${account}": set the ${envVar} environment variable`
        : credentials.message,
    );
  }
  try {
    const client = new EverflowClient(clientOptions(credentials, transport));
    return { client, baseUrl: client.baseUrl };
  } catch (error) {
    throw new CliError(oneLine(messageOf(error)));
  }
}

/**
 * The environment of an AWS client process a test runs (Debian's aws CLI, boto3): fake
 * credentials and region, none of this machine's AWS configuration, and the simulator's address
 * when given (boto3 1.28+ reads AWS_ENDPOINT_URL; Debian's CLI 2.9 wants --endpoint-url).
 */
export function awsClientEnv(endpoint?: string, path = process.env.PATH): NodeJS.ProcessEnv {
  return {
    PATH: path,
    HOME: process.env.HOME,
    ...(endpoint === undefined ? {} : { AWS_ENDPOINT_URL: endpoint }),
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
}

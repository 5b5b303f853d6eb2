// A local endpoint in the Bedrock control-plane wire format (rest-json over HTTP/1.1): CreateModelInvocationJob.
import { sendJson, startJsonSseServer, type JsonSseServer } from './http-json-sse.ts';

export async function startBedrockControlEndpoint(): Promise<JsonSseServer> {
  return startJsonSseServer((req, res) => {
    if (req.method === 'POST' && req.path === '/model-invocation-job') {
      return sendJson(res, 200, { jobArn: `arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/${req.body.jobName}` }, { 'x-amzn-requestid': 'req-batch' });
    }
    sendJson(res, 404, { message: `no route ${req.path}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
  });
}

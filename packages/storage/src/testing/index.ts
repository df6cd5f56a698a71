// A real S3 API server for tests and benchmarks, never for production.
export { type S3TestServer, startS3Server } from './s3-server.js';

// Original file: portcullis/v1/config.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Opens a config stream and tells the control plane what the node already serves.
 */
export interface Hello {
  /**
   * The node identity assigned at enrollment; must match the authenticated caller.
   */
  'nodeId'?: (string);
  /**
   * Version of the data-plane software.
   */
  'dpVersion'?: (string);
  /**
   * Newest snapshot resource schema version this node understands.
   */
  'schemaVersion'?: (number);
  /**
   * Optional features the node supports (for example "mcp-2026-07-28", "a2a"); the control plane may tailor
   * what it sends.
   */
  'capabilities'?: (string)[];
  /**
   * Version of the snapshot the node serves now (for example one restored from disk); 0 when it serves none.
   */
  'servingVersion'?: (number | string | Long);
  /**
   * SHA-256 (lowercase hex) of the served snapshot's resources_json; empty when serving_version is 0.
   */
  'servingSha256'?: (string);
}

/**
 * Opens a config stream and tells the control plane what the node already serves.
 */
export interface Hello__Output {
  /**
   * The node identity assigned at enrollment; must match the authenticated caller.
   */
  'nodeId': (string);
  /**
   * Version of the data-plane software.
   */
  'dpVersion': (string);
  /**
   * Newest snapshot resource schema version this node understands.
   */
  'schemaVersion': (number);
  /**
   * Optional features the node supports (for example "mcp-2026-07-28", "a2a"); the control plane may tailor
   * what it sends.
   */
  'capabilities': (string)[];
  /**
   * Version of the snapshot the node serves now (for example one restored from disk); 0 when it serves none.
   */
  'servingVersion': (string);
  /**
   * SHA-256 (lowercase hex) of the served snapshot's resources_json; empty when serving_version is 0.
   */
  'servingSha256': (string);
}

// Original file: portcullis/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The end of the control plane's copy of a stream.
 */
export interface AuditCursor {
  /**
   * The stream looked up.
   */
  'streamId'?: (string);
  /**
   * The seq of the last batch stored for the stream; 0 when none is stored.
   */
  'lastSeq'?: (number | string | Long);
  /**
   * The hash of that batch (SHA-256, lowercase hex, of its JWS); 64 zeros when none is stored.
   */
  'lastBatchHash'?: (string);
  /**
   * The last_event_seq of that batch; 0 when none is stored. The next batch's first record has this + 1.
   */
  'lastEventSeq'?: (number | string | Long);
}

/**
 * The end of the control plane's copy of a stream.
 */
export interface AuditCursor__Output {
  /**
   * The stream looked up.
   */
  'streamId': (string);
  /**
   * The seq of the last batch stored for the stream; 0 when none is stored.
   */
  'lastSeq': (string);
  /**
   * The hash of that batch (SHA-256, lowercase hex, of its JWS); 64 zeros when none is stored.
   */
  'lastBatchHash': (string);
  /**
   * The last_event_seq of that batch; 0 when none is stored. The next batch's first record has this + 1.
   */
  'lastEventSeq': (string);
}

// Original file: portcullis/v1/approvals.proto


/**
 * The exact call an approval is bound to, and what the policy said about who decides.
 */
export interface ApprovalRequest {
  /**
   * The gateway session (`sid` of the session token).
   */
  'sessionId'?: (string);
  /**
   * The agent's id (the snapshot's agent id, not the token's say-so).
   */
  'agentId'?: (string);
  /**
   * The agent's name, for people reading the request.
   */
  'agentName'?: (string);
  /**
   * The operator's subject (`sub`).
   */
  'operatorSub'?: (string);
  /**
   * The operator's email when known; the operator may never approve their own request.
   */
  'operatorEmail'?: (string);
  /**
   * The tool's name as policies see it.
   */
  'tool'?: (string);
  /**
   * `sha256:<hex>` of the arguments' canonical JSON (object keys sorted): the binding.
   */
  'argsDigest'?: (string);
  /**
   * The arguments as JSON text, shown to approvers. Must hash to args_digest.
   */
  'argsJson'?: (string);
  /**
   * The require_approval policy that held the call.
   */
  'policyId'?: (string);
  /**
   * Who may decide: emails or `role:<role>` entries; empty = anyone holding the approvals:decide permission.
   */
  'approvers'?: (string)[];
  /**
   * The policy's human reason.
   */
  'reason'?: (string);
  /**
   * The node's decision id of the call that asked (audit link request → approval).
   */
  'requestEventId'?: (string);
  /**
   * The delegation chain as JSON text (a list of hops), for approvers.
   */
  'delegationJson'?: (string);
}

/**
 * The exact call an approval is bound to, and what the policy said about who decides.
 */
export interface ApprovalRequest__Output {
  /**
   * The gateway session (`sid` of the session token).
   */
  'sessionId': (string);
  /**
   * The agent's id (the snapshot's agent id, not the token's say-so).
   */
  'agentId': (string);
  /**
   * The agent's name, for people reading the request.
   */
  'agentName': (string);
  /**
   * The operator's subject (`sub`).
   */
  'operatorSub': (string);
  /**
   * The operator's email when known; the operator may never approve their own request.
   */
  'operatorEmail': (string);
  /**
   * The tool's name as policies see it.
   */
  'tool': (string);
  /**
   * `sha256:<hex>` of the arguments' canonical JSON (object keys sorted): the binding.
   */
  'argsDigest': (string);
  /**
   * The arguments as JSON text, shown to approvers. Must hash to args_digest.
   */
  'argsJson': (string);
  /**
   * The require_approval policy that held the call.
   */
  'policyId': (string);
  /**
   * Who may decide: emails or `role:<role>` entries; empty = anyone holding the approvals:decide permission.
   */
  'approvers': (string)[];
  /**
   * The policy's human reason.
   */
  'reason': (string);
  /**
   * The node's decision id of the call that asked (audit link request → approval).
   */
  'requestEventId': (string);
  /**
   * The delegation chain as JSON text (a list of hops), for approvers.
   */
  'delegationJson': (string);
}

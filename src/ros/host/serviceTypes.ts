/** Shapes of the services the node offers, by ROS type name (plain objects with the .srv field names). */

/** std_srvs/srv/Trigger */
export interface TriggerRequest {
  [field: string]: never;
}
export interface TriggerResponse {
  success: boolean;
  message: string;
}

/** vla_bridge/srv/SetInstruction (srv/SetInstruction.srv) */
export interface SetInstructionRequest {
  instruction: string;
}
export interface SetInstructionResponse {
  success: boolean;
  message: string;
}

export interface ServiceMap {
  'std_srvs/srv/Trigger': { request: TriggerRequest; response: TriggerResponse };
  'vla_bridge/srv/SetInstruction': { request: SetInstructionRequest; response: SetInstructionResponse };
}

export type ServiceType = keyof ServiceMap;
export type ServiceRequest<S extends ServiceType> = ServiceMap[S]['request'];
export type ServiceResponse<S extends ServiceType> = ServiceMap[S]['response'];

/** What a request or response of each type holds when a field is missing (ROS fills defaults). */
export const SERVICE_DEFAULTS: { readonly [S in ServiceType]: { request: ServiceRequest<S>; response: ServiceResponse<S> } } = {
  'std_srvs/srv/Trigger': { request: {}, response: { success: false, message: '' } },
  'vla_bridge/srv/SetInstruction': { request: { instruction: '' }, response: { success: false, message: '' } },
};

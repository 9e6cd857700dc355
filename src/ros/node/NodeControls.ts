import type { BoolMsg, StringMsg } from '../../msgs/rosMessages';
import type { NodeHost, ParameterValue, SetParameterResult } from '../host/NodeHost';
import type { SetInstructionResponse, TriggerResponse } from '../host/serviceTypes';
import { instructionProblem } from './nodeParameters';
import type { NodeSession } from './NodeSession';
import { NODE_SERVICES, NODE_TOPICS } from '../../outputs/nodeTopics';

/**
 * How a person steers the node while it is configured: the instruction (the `instruction` parameter, the
 * ~/instruction topic and the ~/set_instruction service are one setting), the ~/estop topic (latches the
 * configuration's safety layer) and the ~/reset service (releases the e-stop and latched watchdog stops).
 */
export class NodeControls {
  private readonly host: NodeHost;
  private readonly current: () => NodeSession | undefined;
  private text: string;

  constructor(host: NodeHost, initialInstruction: string, current: () => NodeSession | undefined) {
    this.host = host;
    this.text = initialInstruction;
    this.current = current;
    host.onParameterChange((name, value) => this.onParameterChange(name, value));
  }

  get instruction(): string {
    return this.text;
  }

  /** Opens a configuration's topics (on its transport) and services (kept in the session, closed with it). */
  open(session: NodeSession): void {
    const { transport } = session;
    transport.subscribe(NODE_TOPICS.instruction, 'std_msgs/msg/String', (msg: StringMsg) => {
      const result = this.host.setParameter('instruction', msg.data);
      if (!result.successful) this.host.logger.warn(`instruction from ${NODE_TOPICS.instruction} refused: ${result.reason}`);
    });
    transport.subscribe(NODE_TOPICS.estop, 'std_msgs/msg/Bool', (msg: BoolMsg) => {
      if (msg.data) this.engageEstop(`${NODE_TOPICS.estop} topic`);
      else this.host.logger.debug(`${NODE_TOPICS.estop}: false is ignored; the e-stop releases only through ${NODE_SERVICES.reset}`);
    });
    session.services.push(
      this.host.createService('vla_bridge/srv/SetInstruction', NODE_SERVICES.setInstruction, (request) =>
        this.setInstruction(request.instruction),
      ),
      this.host.createService('std_srvs/srv/Trigger', NODE_SERVICES.reset, () => this.reset()),
    );
  }

  private onParameterChange(name: string, value: ParameterValue): SetParameterResult {
    if (name !== 'instruction') return { successful: true, reason: '' };
    const text = String(value);
    const problem = instructionProblem(text);
    if (problem !== undefined) return { successful: false, reason: problem };
    this.text = text;
    this.current()?.bridge?.setInstruction(text);
    this.host.logger.info(`instruction: "${text}"`);
    return { successful: true, reason: '' };
  }

  private setInstruction(text: string): SetInstructionResponse {
    const result = this.host.setParameter('instruction', text);
    return result.successful ? { success: true, message: `instruction set to "${text}"` } : { success: false, message: result.reason };
  }

  private engageEstop(source: string): void {
    const safety = this.current()?.settings.safety;
    if (safety === undefined) return;
    if (!safety.latched)
      this.host.logger.warn(
        `e-stop engaged by the ${source}: the arm decelerates within its limits and holds until ${NODE_SERVICES.reset}`,
      );
    safety.estop();
  }

  private reset(): TriggerResponse {
    const s = this.current();
    if (s === undefined) return { success: false, message: 'the node is not configured' };
    if (s.settings.safety.resetRequiredFor.length === 0) return { success: true, message: 'the e-stop was not engaged' };
    let message = 'e-stop released';
    if (s.bridge !== undefined) {
      const outcome = s.bridge.reset();
      if (!outcome.ok) return { success: false, message: outcome.message };
      message = outcome.message;
    } else {
      s.settings.safety.reset();
    }
    this.host.logger.info(`reset: ${message}`);
    return { success: true, message };
  }
}

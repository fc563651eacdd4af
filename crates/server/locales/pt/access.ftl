# Acesso no tempo (R28–R31, R37): datas das atribuições, aprovações, revisões de acessos, pedidos.

nav-access-review = Revisão de acessos
nav-access-requests = Pedidos de acesso

# O que uma atribuição faz agora.
access-state-active = Em vigor
access-state-until = Até { $until }
access-state-from = A partir de { $from }
access-state-from-until = De { $from } até { $until }
access-state-proposed = A aguardar a aprovação de um segundo administrador
access-state-suspended = Suspenso até a revisão o confirmar
access-state-ended = Terminado
access-status-active = Em vigor
access-status-pending = Ainda não em vigor
access-status-suspended = Suspenso
access-status-ended = Terminado
access-last-used = Usado pela última vez em { $at }
access-never-used = Nunca usado
access-no-end = Sem fim

# Datas.
access-from = Início
access-from-hint = Vazio: a partir de agora.
access-until = Fim (último dia incluído)
access-until-hint = Vazio: sem fim.
access-ends = Ou terminar
access-ends-as-typed = Na data acima
access-ends-month = No fim deste mês
access-ends-3-months = Daqui a 3 meses
access-ends-year = No fim deste ano

# Os serviços electrónicos de um acesso.
access-login-title = Serviços electrónicos de { $name }
access-login-back = Todos os acessos e serviços electrónicos
access-login-lead = Assinale os serviços electrónicos que este acesso pode usar, com início e fim se o acesso for por tempo limitado, e guarde. As datas são de Macau.
access-login-use = Pode usar { $eservice }
access-login-save = Guardar
access-login-saved = Os serviços electrónicos e as suas datas foram guardados.
access-login-approved = A atribuição foi aprovada e está agora em vigor.
access-proposals-title = A aguardar aprovação
access-proposal = { $by } propôs { $eservice }. Entra em vigor quando um segundo administrador o aprovar.
access-proposal-yours = Outro administrador tem de aprovar o que propôs.
access-approve = Aprovar
access-matrix-dates-hint = Para dar acesso por tempo limitado, abra o nome de um acesso e defina o início e o fim.
access-staff-eservices-link = Serviços electrónicos e datas

# A revisão de acessos.
access-review-title = Revisão de acessos
access-review-due = Esta revisão começou em { $started } e termina o prazo em { $due }. Confirme ou retire o acesso de cada pessoa a cada serviço electrónico.
access-review-suspends = O acesso ainda por decidir em { $suspends } fica suspenso até ser confirmado.
access-review-empty = Nenhum acesso tem serviços electrónicos a rever.
access-review-caption = Os serviços electrónicos de { $name } nesta revisão
access-col-last-used = Última utilização
access-col-decision = Decisão
access-decision-confirm = Confirmado
access-decision-remove = Retirado
access-decided-by = por { $name }
access-confirm = Confirmar
access-remove = Retirar
access-confirm-all = Confirmar tudo de { $name }
access-review-own = Outro administrador confirma o seu próprio acesso.
access-review-saved = As decisões foram guardadas.
access-review-finished = A revisão terminou: todos os itens foram decididos. Pode exportá-la abaixo.
access-review-last = Última revisão terminada em { $at }
access-review-export-csv = Exportar em CSV
access-review-export-json = Exportar em JSON

# Pedidos.
access-request-title = Pedir um serviço electrónico
access-request-reason = Motivo
access-request-reason-hint = Os administradores lêem-no quando decidem (no máximo 500 caracteres).
access-request-submit = Enviar o pedido
access-request-sent = O seu pedido foi enviado aos administradores.
access-request-nothing = Já tem todos os serviços electrónicos existentes.
access-requests-mine = Os meus pedidos
access-request-asked = Pedido em { $at }
access-request-answer = Resposta: { $reason }
access-request-open = A aguardar resposta
access-request-granted = Concedido
access-request-refused = Recusado
access-requests-title = Pedidos de acesso
access-requests-open = A aguardar resposta
access-requests-none = Nenhum pedido a aguardar.
access-requests-who = { $name } pede { $eservice }
access-grant = Conceder
access-refuse = Recusar
access-refuse-reason = Motivo da recusa
access-requests-answered = Respondidos
access-requests-answered-at = respondido em { $at } por { $name }
access-requests-granted = O pedido foi concedido; o requerente é avisado.
access-requests-refused = O pedido foi recusado; o requerente é avisado.

# Avisos.
access-notice-ending = O acesso de { $login } a { $eservice } termina depois de { $until } (daqui a { $days } dias).
access-notice-proposed = { $login } foi proposto para { $eservice }. Um segundo administrador tem de o aprovar.
access-notice-proposed-link = Abrir as atribuições
access-notice-review-due = O prazo da revisão de acessos terminou em { $due }. O acesso por decidir passados mais 14 dias fica suspenso.
access-notice-review-link = Abrir a revisão de acessos
access-notice-requested = { $login } pede { $eservice }.
access-notice-requested-link = Abrir os pedidos de acesso
access-notice-granted = O seu pedido de { $eservice } foi concedido.
access-notice-refused = O seu pedido de { $eservice } foi recusado: { $reason }
access-sms-label = Enviar-me também por SMS os avisos de que o meu acesso vai terminar
access-sms-hint = Catorze e três dias antes de terminar um serviço electrónico que pode usar, uma mensagem para o seu número de telemóvel registado.
access-sms-save = Guardar
access-sms-saved = Guardado.

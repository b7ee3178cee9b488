import json, os, re

OUT = '/work/main/tests/malformed'
cases = []   # (intent, text, findings[(sev, code, ptr, marker, kind)])

def case(intent, text, findings):
    cases.append((intent, text, findings))

# ---------------------------------------------------------------- helpers
def idp(stmts, version=True):
    v = '  "Version": "2012-10-17",\n' if version else ''
    return '{\n' + v + '  "Statement": [\n' + stmts + '\n  ]\n}\n'

S_READ = '''    {
      "Sid": "ReadReports",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": [
        "arn:aws:s3:::example-reports",
        "arn:aws:s3:::example-reports/*"
      ]
    }'''

def cond_stmt(cond_lines, effect='Allow', action='"s3:GetObject"', resource='"arn:aws:s3:::example-reports/*"', sid='ConditionalRead'):
    return ('    {\n'
            f'      "Sid": "{sid}",\n'
            f'      "Effect": "{effect}",\n'
            f'      "Action": {action},\n'
            f'      "Resource": {resource},\n'
            '      "Condition": {\n' + cond_lines + '\n      }\n'
            '    }')

# ================================================================ JSON layer
case('json-missing-comma', idp('''    {
      "Sid": "ReadReports",
      "Effect": "Allow"
      §1§"Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'json-syntax', '/Statement/0', 1, 'syntax')])

case('json-trailing-comma', idp('''    {
      "Effect": "Allow",
      "Action": ["s3:ListBucket"],
      "Resource": "arn:aws:s3:::example-reports",
    §1§}'''), [('error', 'json-syntax', '/Statement/0', 1, 'syntax')])

case('json-unterminated-string', '''{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*§1§''',
     [('error', 'json-syntax', '/Statement/0/Resource', 1, 'syntax')])

case('json-bad-escape', idp(cond_stmt('''        "StringEquals": {
          "aws:username": "CORP§1§\\jdoe"
        }''')), [('error', 'json-syntax', '/Statement/0/Condition/StringEquals/aws:username', 1, 'syntax')])

case('json-control-char-in-string', idp('''    {
      "Sid": "ReadReports§1§\tV2",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'json-syntax', '/Statement/0/Sid', 1, 'syntax')])

case('json-trailing-garbage', idp(S_READ).rstrip('\n') + '\n§1§}\n',
     [('error', 'json-syntax', '', 1, 'syntax')])

case('json-empty-file', '§1§', [('error', 'json-syntax', '', 1, 'syntax')])

case('json-single-quotes', idp('''    {
      "Effect": §1§'Allow',
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'json-syntax', '/Statement/0/Effect', 1, 'syntax')])

case('json-bad-literal', idp(cond_stmt('''        "Bool": {
          "aws:SecureTransport": §1§True
        }''')), [('error', 'json-syntax', '/Statement/0/Condition/Bool/aws:SecureTransport', 1, 'syntax')])

case('json-comment', idp('''    {
      "Effect": "Allow",
      §1§// read-only access for the reporting job
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'json-syntax', '/Statement/0', 1, 'syntax')])

case('json-truncated-document', '''{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }
§1§''', [('error', 'json-syntax', '/Statement', 1, 'syntax')])

case('json-number-leading-zero', idp(cond_stmt('''        "NumericLessThanEquals": {
          "s3:max-keys": §1§010
        }''', action='"s3:ListBucket"', resource='"arn:aws:s3:::example-reports"')),
     [('error', 'json-number', '/Statement/0/Condition/NumericLessThanEquals/s3:max-keys', 1, 'syntax')])

case('json-number-trailing-dot', idp(cond_stmt('''        "NumericLessThanEquals": {
          "s3:max-keys": §1§10.
        }''', action='"s3:ListBucket"', resource='"arn:aws:s3:::example-reports"')),
     [('error', 'json-number', '/Statement/0/Condition/NumericLessThanEquals/s3:max-keys', 1, 'syntax')])

case('json-utf8-invalid-byte', idp(cond_stmt('''        "StringEquals": { "aws:username": "zoë-§1§¤ff¤lefèvre" }''')),
     [('error', 'json-utf8', '/Statement/0/Condition/StringEquals/aws:username', 1, 'syntax')])

case('json-utf8-overlong', idp('''    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/§1§¤c0¤¤af¤etc/passwd"
    }'''), [('error', 'json-utf8', '/Statement/0/Resource', 1, 'syntax')])

# depth: arrays nested under Statement. root object = depth 1, first '[' = depth 2,
# so the 64th '[' is at depth 65.
pre = '{"Version": "2012-10-17", "Statement": '
arr = ''.join(('§1§[' if k == 64 else '[') for k in range(1, 101)) + ']' * 100
case('json-depth-arrays', pre + arr + '}\n',
     [('error', 'json-depth', '/Statement' + '/0' * 63, 1, 'syntax')])

# depth: objects nested in a condition value. depth: root 1, Statement 2, stmt 3,
# Condition 4, StringEquals 5, value object k -> depth 5+k; k = 60 is depth 65.
nest = ''.join(('§1§{"a": ' if k == 60 else '{"a": ') for k in range(1, 96)) + '"x"' + '}' * 95
case('json-depth-objects', idp(cond_stmt('        "StringEquals": {"aws:username": ' + nest + '}')),
     [('error', 'json-depth', '/Statement/0/Condition/StringEquals/aws:username' + '/a' * 59, 1, 'syntax')])

# ================================================================ wrong-type
case('wrong-type-effect-number', idp('''    {
      "Effect": §1§1,
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'wrong-type', '/Statement/0/Effect', 1, 'value')])

case('wrong-type-statement-string', '''{
  "Version": "2012-10-17",
  "Statement": §1§"Allow s3:GetObject on arn:aws:s3:::example-reports/*"
}
''', [('error', 'wrong-type', '/Statement', 1, 'value')])

case('wrong-type-condition-array', idp('''    {
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::example-reports/*",
      "Condition": §1§[
        { "Bool": { "aws:SecureTransport": "false" } }
      ]
    }'''), [('error', 'wrong-type', '/Statement/0/Condition', 1, 'value')])

case('wrong-type-action-element-number', idp('''    {
      "Effect": "Allow",
      "Action": ["dynamodb:GetItem", §1§42, "dynamodb:Query"],
      "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Orders"
    }'''), [('error', 'wrong-type', '/Statement/0/Action/1', 1, 'value')])

case('wrong-type-root-array', '''§1§[
  {
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::example-reports/*"
  }
]
''', [('error', 'wrong-type', '', 1, 'value')])

case('wrong-type-principal-account-number', idp('''    {
      "Sid": "CrossAccountRead",
      "Effect": "Allow",
      "Principal": { "AWS": §1§111122223333 },
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'wrong-type', '/Statement/0/Principal/AWS', 1, 'value')])

case('wrong-type-condition-value-object', idp(cond_stmt('''        "StringEquals": {
          "aws:PrincipalTag/team": §1§{ "value": "payments" }
        }''')), [('error', 'wrong-type', '/Statement/0/Condition/StringEquals/aws:PrincipalTag~1team', 1, 'value')])

# ================================================================ unknown-key
case('unknown-key-top-level', '''{
  "Version": "2012-10-17",
  §1§"Description": "Read access to the reports bucket",
  "Statement": [
''' + S_READ + '''
  ]
}
''', [('error', 'unknown-key', '/Description', 1, 'key')])

case('unknown-key-statement-typo', idp('''    {
      "Effect": "Deny",
      "Action": "s3:DeleteObject",
      "Resource": "arn:aws:s3:::example-reports/*",
      §1§"Condtion": { "Bool": { "aws:MultiFactorAuthPresent": "false" } }
    }'''), [('error', 'unknown-key', '/Statement/0/Condtion', 1, 'key')])

case('unknown-key-pointer-escaping', idp('''    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*",
      §1§"~owner/team": "payments"
    }'''), [('error', 'unknown-key', '/Statement/0/~0owner~1team', 1, 'key')])

# ================================================================ duplicate-key
case('duplicate-key-resource', idp('''    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*",
      §1§"Resource": "arn:aws:s3:::example-archive/*"
    }'''), [('error', 'duplicate-key', '/Statement/0/Resource', 1, 'key')])

case('duplicate-key-condition-operator', idp(cond_stmt('''        "StringEquals": { "aws:PrincipalTag/team": "payments" },
        "IpAddress": { "aws:SourceIp": "203.0.113.0/24" },
        §1§"StringEquals": { "aws:RequestedRegion": "us-east-1" }''')),
     [('error', 'duplicate-key', '/Statement/0/Condition/StringEquals', 1, 'key')])

# ================================================================ missing-element
case('missing-statement', '''§1§{
  "Version": "2012-10-17",
  "Id": "ReportsReadPolicy"
}
''', [('error', 'missing-element', '', 1, 'object')])

case('missing-effect', idp('''    §1§{
      "Sid": "ReadReports",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'missing-element', '/Statement/0', 1, 'object')])

case('missing-action', idp(S_READ + ''',
    §1§{
      "Sid": "NoDeletes",
      "Effect": "Deny",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'missing-element', '/Statement/1', 1, 'object')])

case('missing-resource-identity', idp('''    §1§{
      "Sid": "QueryOrders",
      "Effect": "Allow",
      "Action": ["dynamodb:GetItem", "dynamodb:Query"]
    }'''), [('error', 'missing-element', '/Statement/0', 1, 'object')])

case('missing-principal-resource-policy', idp('''    {
      "Sid": "CrossAccountRead",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::444455556666:root" },
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    },
    §1§{
      "Sid": "CrossAccountList",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::example-reports"
    }'''), [('error', 'missing-element', '/Statement/1', 1, 'object')])

case('missing-effect-single-statement', '''{
  "Version": "2012-10-17",
  "Statement": §1§{
    "Action": "sqs:SendMessage",
    "Resource": "arn:aws:sqs:us-east-1:111122223333:orders"
  }
}
''', [('error', 'missing-element', '/Statement', 1, 'object')])

# ================================================================ conflicting-elements
case('action-and-notaction', idp('''    {
      "Effect": "Deny",
      "Action": "iam:*",
      §1§"NotAction": "iam:GetUser",
      "Resource": "*"
    }'''), [('error', 'conflicting-elements', '/Statement/0/NotAction', 1, 'key')])

case('resource-and-notresource', idp('''    {
      "Effect": "Deny",
      "Action": "s3:DeleteObject",
      "NotResource": "arn:aws:s3:::example-scratch/*",
      §1§"Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'conflicting-elements', '/Statement/0/Resource', 1, 'key')])

case('principal-and-notprincipal', idp('''    {
      "Effect": "Deny",
      "Principal": "*",
      §1§"NotPrincipal": { "AWS": "arn:aws:iam::111122223333:role/Deploy" },
      "Action": "s3:PutBucketPolicy",
      "Resource": "arn:aws:s3:::example-reports"
    }'''), [('error', 'conflicting-elements', '/Statement/0/NotPrincipal', 1, 'key')])

# ================================================================ empty-element
case('empty-action-array', idp('''    {
      "Effect": "Allow",
      "Action": §1§[],
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'empty-element', '/Statement/0/Action', 1, 'value')])

case('empty-resource-string', idp('''    {
      "Effect": "Allow",
      "Action": "sns:Publish",
      "Resource": §1§""
    }'''), [('error', 'empty-element', '/Statement/0/Resource', 1, 'value')])

# ================================================================ version / effect
case('bad-version-date', '''{
  "Version": §1§"2012-10-18",
  "Statement": [
''' + S_READ + '''
  ]
}
''', [('error', 'bad-version', '/Version', 1, 'value')])

case('bad-version-trailing-space', '''{
  "Version": §1§"2012-10-17 ",
  "Statement": [
''' + S_READ + '''
  ]
}
''', [('error', 'bad-version', '/Version', 1, 'value')])

case('bad-effect-lowercase', idp('''    {
      "Effect": §1§"allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'bad-effect', '/Statement/0/Effect', 1, 'value')])

case('bad-effect-permit', idp(S_READ + ''',
    {
      "Sid": "WriteReports",
      "Effect": §1§"Permit",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'bad-effect', '/Statement/1/Effect', 1, 'value')])

# ================================================================ bad-action
case('bad-action-no-colon', idp('''    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", §1§"s3GetObjectVersion"],
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'bad-action', '/Statement/0/Action/1', 1, 'value')])

case('bad-action-space', idp('''    {
      "Effect": "Allow",
      "Action": §1§"ec2:Describe Instances",
      "Resource": "*"
    }'''), [('error', 'bad-action', '/Statement/0/Action', 1, 'value')])

case('bad-action-arn-as-action', idp('''    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        §1§"arn:aws:s3:::example-reports/*"
      ],
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'bad-action', '/Statement/0/Action/1', 1, 'value')])

big = ('s3' + ('GetObject' * 30000))[:200 * 1024]
case('bad-action-200kb', '§2§' + idp('''    {
      "Effect": "Allow",
      "Action": §1§"''' + big + '''",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'bad-action', '/Statement/0/Action', 1, 'value'),
            ('warning', 'size-limit', '', 2, 'root11')])

# ================================================================ bad-arn
case('bad-arn-bare-bucket', idp('''    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": [
        "arn:aws:s3:::example-reports/*",
        §1§"example-archive/*"
      ]
    }'''), [('error', 'bad-arn', '/Statement/0/Resource/1', 1, 'value')])

case('bad-arn-too-few-fields', idp('''    {
      "Effect": "Allow",
      "Action": "sqs:SendMessage",
      "Resource": §1§"arn:aws:sqs:us-east-1:orders"
    }'''), [('error', 'bad-arn', '/Statement/0/Resource', 1, 'value')])

case('bad-arn-notresource', idp('''    {
      "Effect": "Deny",
      "Action": "s3:*",
      "NotResource": [§1§"example-reports", "arn:aws:s3:::example-reports/*"]
    }'''), [('error', 'bad-arn', '/Statement/0/NotResource/0', 1, 'value')])

# ================================================================ bad-principal
case('bad-principal-username', idp('''    {
      "Effect": "Allow",
      "Principal": { "AWS": [ "arn:aws:iam::111122223333:role/Deploy", §1§"alice" ] },
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'bad-principal', '/Statement/0/Principal/AWS/1', 1, 'value')])

case('bad-principal-unknown-type', idp('''    {
      "Effect": "Allow",
      "Principal": { §1§"Account": "444455556666" },
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'bad-principal', '/Statement/0/Principal/Account', 1, 'key')])

case('bad-principal-short-account', idp('''    {
      "Effect": "Allow",
      "Principal": { "AWS": §1§"44445555666" },
      "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:us-east-1:111122223333:orders"
    }'''), [('error', 'bad-principal', '/Statement/0/Principal/AWS', 1, 'value')])

# ================================================================ unknown-operator
def op_case(intent, op, body, effect='Deny'):
    case(intent, idp(cond_stmt(f'        §1§"{op}": {body}', effect=effect)),
         [('error', 'unknown-operator', '/Statement/0/Condition/' + op, 1, 'key')])

op_case('unknown-operator-foranyvalues-prefix', 'ForAnyValues:StringEquals', '{ "aws:TagKeys": ["team", "stage"] }')
op_case('unknown-operator-double-suffix', 'StringEqualsIfExistss', '{ "aws:PrincipalTag/team": "payments" }')
op_case('unknown-operator-null-ifexists', 'NullIfExists', '{ "aws:TokenIssueTime": "true" }')
op_case('unknown-operator-stringcontains', 'StringContains', '{ "aws:userid": "AROAEXAMPLEID" }')
op_case('unknown-operator-double-prefix', 'ForAllValues:ForAnyValue:StringLike', '{ "aws:TagKeys": "team*" }')

# ================================================================ bad-condition-key
case('bad-condition-key-empty', idp(cond_stmt('''        "StringEquals": { §1§"": "payments" }''')),
     [('error', 'bad-condition-key', '/Statement/0/Condition/StringEquals/', 1, 'key')])

case('bad-condition-key-characters', idp(cond_stmt('''        "StringEquals": { §1§"aws:Principal#Tag": "payments" }''')),
     [('error', 'bad-condition-key', '/Statement/0/Condition/StringEquals/aws:Principal#Tag', 1, 'key')])

# ================================================================ operand checks
case('bad-cidr-prefix-too-long', idp(cond_stmt('''        "IpAddress": { "aws:SourceIp": ["203.0.113.0/24", §1§"198.51.100.0/33"] }''')),
     [('error', 'bad-cidr', '/Statement/0/Condition/IpAddress/aws:SourceIp/1', 1, 'value')])

case('bad-cidr-octet', idp(cond_stmt('''        "NotIpAddress": { "aws:SourceIp": §1§"10.0.0.256" }''', effect='Deny')),
     [('error', 'bad-cidr', '/Statement/0/Condition/NotIpAddress/aws:SourceIp', 1, 'value')])

case('bad-cidr-ipv6', idp(cond_stmt('''        "IpAddress": { "aws:SourceIp": [§1§"2001:db8::/129", "203.0.113.0/24"] }''')),
     [('error', 'bad-cidr', '/Statement/0/Condition/IpAddress/aws:SourceIp/0', 1, 'value')])

case('bad-date-format', idp(cond_stmt('''        "DateLessThan": { "aws:CurrentTime": §1§"31/12/2026" }''')),
     [('error', 'bad-date', '/Statement/0/Condition/DateLessThan/aws:CurrentTime', 1, 'value')])

case('bad-date-tag-key-pointer', idp(cond_stmt('''        "StringEquals": { "aws:PrincipalTag/équipe": "paiements" }, "DateGreaterThan": { "aws:PrincipalTag/début": §1§"le 1er mars" }''')),
     [('error', 'bad-date', '/Statement/0/Condition/DateGreaterThan/aws:PrincipalTag~1début', 1, 'value')])

case('bad-number-word', idp(cond_stmt('''        "NumericLessThanEquals": { "s3:max-keys": §1§"ten" }''',
        action='"s3:ListBucket"', resource='"arn:aws:s3:::example-reports"')),
     [('error', 'bad-number', '/Statement/0/Condition/NumericLessThanEquals/s3:max-keys', 1, 'value')])

case('bad-number-overflow', idp(cond_stmt('''        "NumericLessThan": { "s3:max-keys": §1§1e999999 }''',
        action='"s3:ListBucket"', resource='"arn:aws:s3:::example-reports"')),
     [('error', 'bad-number', '/Statement/0/Condition/NumericLessThan/s3:max-keys', 1, 'value')])

case('bad-bool', idp(cond_stmt('''        "Bool": { "aws:SecureTransport": §1§"yes" }''')),
     [('error', 'bad-bool', '/Statement/0/Condition/Bool/aws:SecureTransport', 1, 'value')])

case('bad-binary', idp(cond_stmt('''        "BinaryEquals": { "s3:x-amz-meta-digest": §1§"not base64!" }''')),
     [('error', 'bad-binary', '/Statement/0/Condition/BinaryEquals/s3:x-amz-meta-digest', 1, 'value')])

case('bad-arn-operand-short', idp('''    {
      "Effect": "Allow",
      "Principal": "*",
      "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:us-east-1:111122223333:orders",
      "Condition": {
        "ArnEquals": { "aws:SourceArn": §1§"arn:aws:sns:us-east-1:111122223333" }
      }
    }'''), [('error', 'bad-arn-operand', '/Statement/0/Condition/ArnEquals/aws:SourceArn', 1, 'value')])

case('bad-arn-operand-name', idp(cond_stmt('''        "ArnLike": { "aws:PrincipalArn": ["arn:aws:iam::111122223333:role/Deploy*", §1§"Deploy"] }''')),
     [('error', 'bad-arn-operand', '/Statement/0/Condition/ArnLike/aws:PrincipalArn/1', 1, 'value')])

# ================================================================ bad-variable
case('bad-variable-unclosed', idp('''    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": §1§"arn:aws:s3:::example-home/home/${aws:username/*"
    }'''), [('error', 'bad-variable', '/Statement/0/Resource', 1, 'value')])

case('bad-variable-empty-name', idp(cond_stmt('''        "StringLike": { "s3:prefix": [§1§"home/${}/*"] }''',
        action='"s3:ListBucket"', resource='"arn:aws:s3:::example-home"')),
     [('error', 'bad-variable', '/Statement/0/Condition/StringLike/s3:prefix/0', 1, 'value')])

case('bad-variable-default-unquoted', idp(cond_stmt('''        "StringEquals": { "aws:ResourceTag/team": §1§"${aws:PrincipalTag/team, none}" }''')),
     [('error', 'bad-variable', '/Statement/0/Condition/StringEquals/aws:ResourceTag~1team', 1, 'value')])

case('bad-variable-default-unterminated-quote', idp(cond_stmt('''        "StringEquals": { "aws:ResourceTag/team": §1§"${aws:PrincipalTag/team, 'none}" }''')),
     [('error', 'bad-variable', '/Statement/0/Condition/StringEquals/aws:ResourceTag~1team', 1, 'value')])

# ================================================================ Sids
case('bad-sid-hyphen', idp('''    {
      "Sid": §1§"Allow-S3-Read",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'bad-sid', '/Statement/0/Sid', 1, 'value')])

case('bad-sid-space', idp(S_READ + ''',
    {
      "Sid": §1§"Write reports",
      "Effect": "Allow",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'bad-sid', '/Statement/1/Sid', 1, 'value')])

case('bad-sid-resource-policy-warning', idp('''    {
      "Sid": §1§"cross-account_read",
      "Effect": "Allow",
      "Principal": { "AWS": "444455556666" },
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('warning', 'bad-sid', '/Statement/0/Sid', 1, 'value')])

case('duplicate-sid-identity', idp(S_READ + ''',
    {
      "Sid": §1§"ReadReports",
      "Effect": "Allow",
      "Action": "s3:GetObjectVersion",
      "Resource": "arn:aws:s3:::example-reports/*"
    }'''), [('error', 'duplicate-sid', '/Statement/1/Sid', 1, 'value')])

case('duplicate-sid-resource-policy-warning', idp('''    {
      "Sid": "CrossAccount",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::444455556666:root" },
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*"
    },
    {
      "Sid": §1§"CrossAccount",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::444455556666:root" },
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::example-reports"
    }'''), [('warning', 'duplicate-sid', '/Statement/1/Sid', 1, 'value')])

# ================================================================ warnings
res = ',\n'.join(f'        "arn:aws:s3:::example-tenant-{i:04d}/*"' for i in range(1, 201))
case('size-limit-identity', '§1§' + idp('''    {
      "Sid": "TenantRead",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": [
''' + res + '''
      ]
    }'''), [('warning', 'size-limit', '', 1, 'root11')])

res = ',\n'.join(f'        "arn:aws:s3:::example-shared-bucket/tenants/tenant-{i:04d}/*"' for i in range(1, 401))
case('size-limit-resource-policy', '§1§' + idp('''    {
      "Sid": "PartnerRead",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::444455556666:role/PartnerReader" },
      "Action": "s3:GetObject",
      "Resource": [
''' + res + '''
      ]
    }'''), [('warning', 'size-limit', '', 1, 'root11')])

case('missing-version', '§1§' + idp(S_READ, version=False),
     [('warning', 'missing-version', '', 1, 'object')])

case('variable-in-2008', '''{
  "Version": "2008-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": §1§"arn:aws:s3:::example-home/home/${aws:username}/*"
    }
  ]
}
''', [('warning', 'variable-in-2008', '/Statement/0/Resource', 1, 'value')])

case('variable-no-version', '''§2§{
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::example-home",
      "Condition": { "StringLike": { "s3:prefix": ["home/", §1§"home/${aws:username}/*"] } }
    }
  ]
}
''', [('warning', 'variable-in-2008', '/Statement/0/Condition/StringLike/s3:prefix/1', 1, 'value'),
      ('warning', 'missing-version', '', 2, 'object')])

case('allow-notaction', idp('''    {
      "Effect": "Allow",
      "NotAction": §1§["iam:*", "organizations:*", "account:*"],
      "Resource": "*"
    }'''), [('warning', 'allow-notaction', '/Statement/0/NotAction', 1, 'value')])

case('allow-notresource', idp('''    {
      "Effect": "Allow",
      "Action": "s3:*",
      "NotResource": §1§"arn:aws:s3:::example-audit-logs/*"
    }'''), [('warning', 'allow-notresource', '/Statement/0/NotResource', 1, 'value')])

case('allow-all', idp(S_READ + ''',
    §1§{
      "Sid": "BreakGlass",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }'''), [('warning', 'allow-all', '/Statement/1', 1, 'object')])

case('allow-all-star-star-single-statement', '''{
  "Version": "2012-10-17",
  "Statement": §1§{
    "Effect": "Allow",
    "Action": ["*:*"],
    "Resource": ["*"]
  }
}
''', [('warning', 'allow-all', '/Statement', 1, 'object')])

case('forallvalues-allow', idp('''    {
      "Sid": "TagOnlyAllowedKeys",
      "Effect": "Allow",
      "Action": "ec2:CreateTags",
      "Resource": "arn:aws:ec2:us-east-1:111122223333:instance/*",
      "Condition": {
        §1§"ForAllValues:StringEquals": { "aws:TagKeys": ["team", "stage"] }
      }
    }'''), [('warning', 'forallvalues-allow', '/Statement/0/Condition/ForAllValues:StringEquals', 1, 'key')])

# ================================================================ worlds
case('world-unknown-policy', '''{
  "policies": {
    "FullAWSAccess": {
      "Version": "2012-10-17",
      "Statement": [ §5§{ "Effect": "Allow", "Action": "*", "Resource": "*" } ]
    },
    "ReadReports": {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "ReadReports",
          "Effect": §3§"allow",
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::example-reports/*"
        }
      ]
    }
  },
  "principals": [
    {
      "arn": "arn:aws:iam::111122223333:user/alice",
      "identity_policies": ["ReadReports", §1§"WriteReports"]
    }
  ],
  "resources": [
    { "arn": "arn:aws:s3:::example-reports", "account": "111122223333", "policy": §2§"ReportsBucketPolicy" }
  ],
  "organization": {
    "id": "o-a1b2c3d4e5",
    "accounts": {
      "111122223333": { "scps": [["FullAWSAccess"], [§4§"DenyRegions"]] }
    }
  }
}
''', [('error', 'unknown-policy', '/principals/0/identity_policies/1', 1, 'value'),
      ('error', 'unknown-policy', '/resources/0/policy', 2, 'value'),
      ('error', 'bad-effect', '/policies/ReadReports/Statement/0/Effect', 3, 'value'),
      ('error', 'unknown-policy', '/organization/accounts/111122223333/scps/1/0', 4, 'value'),
      ('warning', 'allow-all', '/policies/FullAWSAccess/Statement/0', 5, 'object')])

case('world-unknown-key-principal', '''{
  "policies": {
    "team/payments-read": {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": [§2§"dynamodb GetItem", "dynamodb:Query"],
          "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Payments"
        }
      ]
    }
  },
  "principals": [
    {
      "arn": "arn:aws:sts::111122223333:assumed-role/Payments/ci-42",
      "type": "AssumedRole",
      §1§"identity_policy": "team/payments-read"
    }
  ]
}
''', [('error', 'unknown-key', '/principals/0/identity_policy', 1, 'key'),
      ('error', 'bad-action', '/policies/team~1payments-read/Statement/0/Action/0', 2, 'value')])

case('world-wrong-type-principals', '''{
  "policies": {
    "ReadReports": {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::example-reports/*"
        }
      ]
    }
  },
  "principals": §1§{
    "arn": "arn:aws:iam::111122223333:user/alice",
    "identity_policies": ["ReadReports"]
  },
  "resources": [
    { "arn": "arn:aws:s3:::example-reports", "account": "111122223333", "tags": §2§"stage=prod" }
  ]
}
''', [('error', 'wrong-type', '/principals', 1, 'value'),
      ('error', 'wrong-type', '/resources/0/tags', 2, 'value')])

# ================================================================ valid
case('valid-deny-notaction-without-mfa', '''{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowViewAccountInfo",
      "Effect": "Allow",
      "Action": ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
      "Resource": "*"
    },
    {
      "Sid": "AllowManageOwnVirtualMFADevice",
      "Effect": "Allow",
      "Action": ["iam:CreateVirtualMFADevice"],
      "Resource": "arn:aws:iam::*:mfa/*"
    },
    {
      "Sid": "AllowManageOwnUserMFA",
      "Effect": "Allow",
      "Action": [
        "iam:DeactivateMFADevice",
        "iam:EnableMFADevice",
        "iam:GetUser",
        "iam:ListMFADevices",
        "iam:ResyncMFADevice"
      ],
      "Resource": "arn:aws:iam::*:user/${aws:username}"
    },
    {
      "Sid": "DenyAllExceptListedIfNoMFA",
      "Effect": "Deny",
      "NotAction": [
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "iam:GetUser",
        "iam:ListMFADevices",
        "iam:ListVirtualMFADevices",
        "iam:ResyncMFADevice",
        "sts:GetSessionToken"
      ],
      "Resource": "*",
      "Condition": {
        "BoolIfExists": { "aws:MultiFactorAuthPresent": "false" }
      }
    }
  ]
}
''', [])

case('valid-variables-and-defaults', '''{
  "Version": "2012-10-17",
  "Id": "HomeFolderPolicy",
  "Statement": [
    {
      "Sid": "ListOwnHome",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::example-home",
      "Condition": {
        "StringLike": { "s3:prefix": ["", "home/", "home/${aws:username}/*"] }
      }
    },
    {
      "Sid": "ReadWriteOwnHome",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      "Resource": [
        "arn:aws:s3:::example-home/home/${aws:username}/*",
        "arn:aws:s3:::example-home/teams/${aws:PrincipalTag/team, 'unassigned'}/*",
        "arn:aws:s3:::example-home/literal/${*}${?}${$}/*"
      ]
    },
    {
      "Sid": "TeamTaggedOrders",
      "Effect": "Allow",
      "Action": ["dynamodb:GetItem", "dynamodb:Query"],
      "Resource": "arn:aws:dynamodb:${aws:RequestedRegion}:111122223333:table/Orders",
      "Condition": {
        "StringEquals": { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" }
      }
    }
  ]
}
''', [])

case('valid-trust-policy-single-statement', '''{
  "Version": "2012-10-17",
  "Statement": {
    "Sid": "TrustEc2AndAccount",
    "Effect": "Allow",
    "Principal": {
      "Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"],
      "AWS": ["111122223333", "arn:aws:iam::444455556666:role/Deploy"]
    },
    "Action": "sts:AssumeRole",
    "Condition": {
      "StringEquals": { "sts:ExternalId": "Example-External-Id-42" },
      "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*" }
    }
  }
}
''', [])

case('valid-ipv4-ipv6-cidr', '''{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyOutsideCorporateNetworks",
      "Effect": "Deny",
      "Action": "*",
      "Resource": "*",
      "Condition": {
        "NotIpAddress": {
          "aws:SourceIp": [
            "192.0.2.0/24",
            "203.0.113.7",
            "2001:DB8:1234:5678::/64",
            "2001:db8::1"
          ]
        },
        "Bool": { "aws:ViaAWSService": "false" }
      }
    },
    {
      "Sid": "AllowReportsFromOffice",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-reports/*",
      "Condition": {
        "IpAddressIfExists": { "aws:SourceIp": ["198.51.100.0/22", "2001:db8:abcd::/48"] }
      }
    }
  ]
}
''', [])

case('valid-epoch-dates-and-operators', '''{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "TimeBoxedRead",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::example-reports", "arn:aws:s3:::example-reports/*"],
      "Condition": {
        "DateGreaterThan": { "aws:CurrentTime": "1767225600" },
        "DateLessThan": { "aws:CurrentTime": "2026-12-31T23:59:59Z" },
        "DateGreaterThanEquals": { "aws:TokenIssueTime": "2026-01-01T00:00:00Z" },
        "NumericLessThanEquals": { "s3:max-keys": 1000, "aws:MultiFactorAuthAge": "3600" },
        "StringEqualsIgnoreCaseIfExists": { "aws:RequestedRegion": ["us-east-1", "EU-WEST-1"] },
        "ArnLike": { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/Reports*" },
        "Null": { "aws:TokenIssueTime": "false" }
      }
    },
    {
      "Sid": "DenyUntaggedAndUnsignedUploads",
      "Effect": "Deny",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::example-reports/*",
      "Condition": {
        "ForAllValues:Bool": { "aws:SecureTransport": [false] },
        "BinaryEquals": { "s3:x-amz-meta-checksum": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" },
        "ArnNotEquals": { "aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:alerts" },
        "ForAnyValue:StringNotLike": { "aws:TagKeys": ["team", "stage"] },
        "NumericNotEquals": { "s3:object-lock-remaining-retention-days": -1.5 }
      }
    }
  ]
}
''', [])

# ================================================================ emit + self-checks
assert len(cases) <= 99, len(cases)
SEP = re.compile(r'§(\d+)§|¤([0-9a-f]{2})¤')

def unescape(tok):
    return tok.replace('~1', '/').replace('~0', '~')

def resolve(doc, ptr):
    if ptr == '':
        return doc, None
    toks = [unescape(t) for t in ptr.split('/')[1:]]
    cur = doc
    for t in toks:
        if isinstance(cur, list):
            cur = cur[int(t)]
        else:
            cur = cur[t]
    return cur, toks[-1]

def pairs_last(pairs):  # duplicate keys: keep the last
    return dict(pairs)

rows, report = [], []
for n, (intent, text, findings) in enumerate(cases, 1):
    name = f'{n:02d}-{intent}.json'
    buf, marks, pos = bytearray(), {}, 0
    for m in SEP.finditer(text):
        buf += text[pos:m.start()].encode('utf-8')
        if m.group(1):
            marks[int(m.group(1))] = len(buf)
        else:
            buf.append(int(m.group(2), 16))
        pos = m.end()
    buf += text[pos:].encode('utf-8')
    data = bytes(buf)
    assert len(data) < 1024 * 1024, name
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    if not findings:
        rows.append(f'{name}\tnone\t-\t-\t-\t-')
        json.loads(data)
        continue
    try:
        doc = json.loads(data.decode('utf-8'), object_pairs_hook=pairs_last,
                         parse_constant=lambda c: 0, parse_float=str)
        valid_json = True
    except Exception:
        valid_json = False
    for sev, code, ptr, mk, kind in findings:
        off = marks[mk]
        line = data.count(b'\n', 0, off) + 1
        ls = data.rfind(b'\n', 0, off) + 1
        col = len(data[ls:off].decode('utf-8')) + 1
        if kind == 'root11':
            assert (line, col) == (1, 1), name
            assert ptr == ''
        if kind != 'syntax' and kind != 'root11':
            assert valid_json, name
        if kind == 'syntax' and code.startswith('json'):
            pass
        if valid_json and kind in ('value', 'object', 'key'):
            ch = chr(data[off])
            if kind == 'key':
                # the key must be the last pointer token and open at the marker
                last = unescape(ptr.split('/')[-1])
                assert data[off:].startswith(json.dumps(last, ensure_ascii=False).encode()), (name, data[off:off+30])
                parent, _ = resolve(doc, ptr[:ptr.rfind('/')])
                assert isinstance(parent, dict), name
            else:
                v, _ = resolve(doc, ptr)
                exp = {str: '"', list: '[', dict: '{', bool: 'tf', int: '-0123456789', float: '-0123456789'}
                if isinstance(v, str) and not data[off:off+1] == b'"':
                    assert ch in '-0123456789', (name, ch)  # numbers parsed as str via parse_float
                else:
                    assert ch in exp[type(v)], (name, ch, type(v))
                if kind == 'object':
                    assert isinstance(v, dict), name
        rows.append(f'{name}\t{sev}\t{line}\t{col}\t{code}\t{ptr if ptr else chr(34) * 2}')
        report.append((name, code, line, col, ptr, kind, data[off:off + 30]))

with open(os.path.join(OUT, 'expected.tsv'), 'w') as f:
    f.write('\n'.join(rows) + '\n')
for r in report:
    p = r[4] if len(r[4]) < 80 else r[4][:60] + '...'
    print(r[0], r[1], r[2], r[3], p or '""', r[5], r[6])
print(len(cases), 'files', len(rows), 'rows')

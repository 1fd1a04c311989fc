using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Lingcheng.Talent.Verification.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TrustedKeyTrustEnd : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "TrustedUntilUtcTicks",
                table: "TrustedKeys",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TrustedUntilUtcTicks",
                table: "TrustedKeys");
        }
    }
}
